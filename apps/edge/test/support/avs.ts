// A small real AVS in the test process: anvil (from the npm package) with the contracts deployed
// by @wisp/contracts/dev, a relay from @wisp/p2p/node (auth on, full validation against the chain), and a
// Node operator that is both the performer and the aggregator (operator 1, the designated
// performer), started by @wisp/node from the network's operator config — the same config the
// edge worker gets as WISP_CONFIG. The edge worker in workerd is the other operator; with twice
// the voting power it alone decides the quorum, so every outcome on chain carries its vote. A
// third key is funded and staked but not registered (an edge worker that is not an operator yet).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInlineVerifier } from '@wisp/bls'
import { createChainDirectory } from '@wisp/chain'
import { type Anvil, deployLocalNetwork, type LocalNetwork, startAnvil, WAD } from '@wisp/contracts/dev'
import { keysFromEcdsa, startWispNode, type WispNode } from '@wisp/node'
import { type OperatorConfig, parseOperatorConfig } from '@wisp/operator'
import { createRelay, type WispNetwork } from '@wisp/p2p/node'
import { hashChain } from '@wisp/plugin-hash-chain'
import { type SendTaskRequest, type TaskInfo, taskHash } from '@wisp/protocol'
import { createPublicClient, type Hex, http, toHex } from 'viem'
import { sign } from 'viem/accounts'
import { anvil as anvilChain } from 'viem/chains'

export const NAMESPACE = 'wisp-edge-test'
export const ITERATIONS = 200

export interface LocalAvs {
  anvil: Anvil
  net: LocalNetwork
  relay: WispNetwork
  relayAddress: string
  performerPeer: WispNetwork
  performer: WispNode['engine']
  definitionId: number
  /** the network's operator config (what the edge worker reads as WISP_CONFIG) */
  config: OperatorConfig
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
  const config = parseOperatorConfig({
    version: 1,
    network: { name: 'edge test network', kind: 'local' },
    chain: { rpcUrl: anvil.rpcUrl, chainId: net.chainId, attestationCenter: center, pollingIntervalMs: 500 },
    p2p: { bootstrap: [relayAddress], topicNamespace: NAMESPACE },
    // operator 1 is the only performer: it is elected at every block, attesters accept it
    election: { performerIds: [op.id] },
    plugins: [
      {
        package: '@wisp/plugin-hash-chain',
        taskDefinitionIds: [definitionId],
        config: { iterations: ITERATIONS },
      },
    ],
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-edge-avs-'))
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }
  const node: WispNode = await startWispNode(
    {
      name: 'performer',
      keys: keysFromEcdsa(op.ecdsaKey, op.blsSecretKey),
      operator: {
        ...config,
        roles: ['performer', 'aggregator'],
        performer: { ...config.performer, taskDefinitionIds: [definitionId] },
        dataDir,
      },
      verifierWorkers: 0,
    },
    { logger: quiet },
  )
  const performer = node.engine

  return {
    anvil,
    net,
    relay,
    relayAddress,
    performerPeer: node.network,
    performer,
    definitionId,
    config,
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
      await node.stop()
      await relay.stop()
      await anvil.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
