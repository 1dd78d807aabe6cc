// A small real AVS in the test process: anvil (from the npm package) with the contracts deployed
// by @wisp/contracts/dev, a relay from @wisp/p2p/node (auth on, full validation against the chain), and a
// Node engine that is both the performer and the aggregator (operator 1). The edge worker in
// workerd is the other operator; with twice the voting power it alone decides the quorum, so
// every outcome on chain carries its vote. A third key is funded and staked but not registered
// (an edge worker that is not an operator yet).
import { createInlineVerifier, SecretKey } from '@wisp/bls'
import { createChainDirectory, createChainPort } from '@wisp/chain'
import { type Anvil, deployLocalNetwork, type LocalNetwork, startAnvil, WAD } from '@wisp/contracts/dev'
import { createEngine, type Engine } from '@wisp/core'
import { createBlsAuthSigner, createNodePeer, createRelay, type WispNetwork } from '@wisp/p2p/node'
import { createHashChainPlugin, hashChain } from '@wisp/plugin-hash-chain'
import { type SendTaskRequest, type TaskInfo, taskHash } from '@wisp/protocol'
import { MemoryStore } from '@wisp/storage'
import { createPublicClient, createWalletClient, type Hex, http, toHex } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { anvil as anvilChain } from 'viem/chains'

export const NAMESPACE = 'wisp-edge-test'
export const ITERATIONS = 200

export interface LocalAvs {
  anvil: Anvil
  net: LocalNetwork
  relay: WispNetwork
  relayAddress: string
  performerPeer: WispNetwork
  performer: Engine
  definitionId: number
  /** a task signed by the performer whose proof is wrong (attesters must reject it) */
  sendBadTask(): Promise<{ request: SendTaskRequest; taskHash: Hex }>
  stop(): Promise<void>
}

export async function startLocalAvs(): Promise<LocalAvs> {
  const anvil = await startAnvil()
  const net = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    // 1: performer + aggregator; 2: the edge attester (2/3 of the power: its vote alone is a quorum);
    // then a key that registers during the tests (index 2)
    operators: [{ votingPower: WAD }, { votingPower: 2n * WAD }, { votingPower: WAD, register: false }],
    taskDefinitions: [{ name: 'hash-chain' }],
  })
  const definitionId = net.taskDefinitions[0]!.id
  const center = net.contracts.attestationCenter
  const deployments = [{ chainId: net.chainId, attestationCenter: center }]
  const publicClient = createPublicClient({ chain: anvilChain, transport: http(anvil.rpcUrl) })
  const directory = createChainDirectory({ attestationCenter: center }, { publicClient })

  const relay = await createRelay(
    { listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: NAMESPACE, deployments, auth: { enabled: true } },
    { verifier: createInlineVerifier(), directory, definitions: directory },
  )
  const relayAddress = relay.getMultiaddrs()[0]!

  const op = net.operators[0]!
  const bls = SecretKey.fromBytes(op.blsSecretKey)
  const account = privateKeyToAccount(op.ecdsaKey)
  const verifier = createInlineVerifier()
  const performerPeer = await createNodePeer(
    { topicNamespace: NAMESPACE, bootstrap: [relayAddress], deployments },
    {
      verifier,
      directory,
      definitions: directory,
      signer: createBlsAuthSigner({ operatorId: op.id, address: op.address }, bls),
    },
  )
  const chain = await createChainPort(
    { attestationCenter: center, chainId: net.chainId },
    {
      publicClient,
      walletClient: createWalletClient({ account, chain: anvilChain, transport: http(anvil.rpcUrl) }),
    },
  )
  const performer = createEngine(
    {
      runtime: 'node',
      operatorAddress: op.address,
      // two operators alternate slots block by block; the attester checks a 16-block window
      performer: { taskDefinitionIds: [definitionId], ignoreElection: true },
      aggregator: {},
    },
    {
      gossip: performerPeer,
      chain,
      store: new MemoryStore(),
      verifier,
      blsSigner: { publicKey: bls.publicKey.toBytes(), sign: async (d, m) => bls.sign(d, m).toBytes() },
      ecdsaSigner: {
        address: op.address,
        signHash: (hash) => sign({ hash, privateKey: op.ecdsaKey, to: 'hex' }),
      },
      plugins: [
        {
          plugin: createHashChainPlugin({ taskDefinitionIds: [definitionId] }),
          config: { iterations: ITERATIONS },
        },
      ],
    },
  )
  await performer.start()

  return {
    anvil,
    net,
    relay,
    relayAddress,
    performerPeer,
    performer,
    definitionId,
    async sendBadTask() {
      const seed = new TextEncoder().encode(`bad:${Date.now()}:${Math.random()}`)
      const honest = hashChain(seed, ITERATIONS)
      // a well-formed digest, just not the right one
      const wrong = `0x${(BigInt(honest) ^ 1n).toString(16).padStart(64, '0')}`
      const task: TaskInfo = {
        proofOfTask: wrong,
        data: toHex(seed),
        taskPerformer: op.address,
        taskDefinitionId: definitionId,
      }
      const hash = taskHash(task)
      const request: SendTaskRequest = {
        task,
        signature: { type: 'ecdsa', signature: await sign({ hash, privateKey: op.ecdsaKey, to: 'hex' }) },
      }
      await performer.sendTask(request)
      return { request, taskHash: hash }
    },
    async stop() {
      await performer.stop()
      await performerPeer.stop()
      await verifier.close()
      await relay.stop()
      await anvil.stop()
    },
  }
}
