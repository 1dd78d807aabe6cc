// One anvil + deployLocalNetwork per test file, clients, snapshots, and real signatures.
import { aggregateSignatures, hashToPoint, SecretKey } from '@wisp/bls'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  type AnvilOptions,
  deployLocalNetwork,
  type LocalNetwork,
  type LocalNetworkOptions,
  startAnvil,
} from '@wisp/contracts/dev'
import { DOMAIN_TASKS, type PerformerSignature, type TaskInfo, taskHash, voteHash } from '@wisp/protocol'
import {
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

export function chainOf(id: number, rpcUrl: string): Chain {
  return defineChain({
    id,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

export function clientsFor(rpcUrl: string, chainId: number) {
  const chain = chainOf(chainId, rpcUrl)
  // a long timeout: on a loaded CI machine anvil may take seconds to mine thousands of blocks,
  // and these clients only drive the test, they are not what it measures
  const transport = http(rpcUrl, { retryCount: 0, timeout: 60_000 })
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 })
  const testClient = createTestClient({ chain, mode: 'anvil', transport })
  const walletOf = (key: Hex) =>
    createWalletClient({ account: privateKeyToAccount(key), chain, transport, pollingInterval: 50 })
  return { chain, publicClient, testClient, walletOf }
}

export type Setup = Awaited<ReturnType<typeof setup>>

export async function setup(
  network: Partial<Omit<LocalNetworkOptions, 'rpcUrl'>>,
  anvilOptions: Partial<AnvilOptions> = {},
) {
  const anvil: Anvil = await startAnvil(anvilOptions)
  let net: LocalNetwork
  try {
    net = await deployLocalNetwork({ rpcUrl: anvil.rpcUrl, ...network })
  } catch (err) {
    await anvil.stop()
    throw err
  }
  const clients = clientsFor(anvil.rpcUrl, net.chainId)
  const ops = net.operators.map((o) => ({
    ...o,
    bls: SecretKey.fromBytes(o.blsSecretKey),
    account: privateKeyToAccount(o.ecdsaKey),
    wallet: clients.walletOf(o.ecdsaKey),
  }))
  const deployer = clients.walletOf(network.deployerKey ?? ANVIL_DEV_KEYS[0])
  let snapshot = await clients.testClient.snapshot()
  return {
    anvil,
    net,
    ...clients,
    ops,
    deployer,
    center: net.contracts.attestationCenter,
    /** back to the state right after deployment */
    async reset() {
      await clients.testClient.revert({ id: snapshot })
      snapshot = await clients.testClient.snapshot()
    },
    stop: () => anvil.stop(),
  }
}

let counter = 0

/** A fresh task (unique proofOfTask). */
export function makeTask(performer: Address, taskDefinitionId = 0, data: Hex = '0x68656c6c6f'): TaskInfo {
  counter += 1
  return {
    proofOfTask: `QmChainTest${counter}-${Date.now()}`,
    data,
    taskPerformer: performer,
    taskDefinitionId,
  }
}

interface Signer {
  id: number
  bls: SecretKey
}

/** Each signer's own BLS vote for `isApproved`, aggregated with @wisp/bls; ids ascending. */
export function signVotes(
  s: Pick<Setup, 'center' | 'net'>,
  task: TaskInfo,
  signers: readonly Signer[],
  isApproved: boolean,
) {
  const digest = voteHash(task, { attestationCenter: s.center, chainId: s.net.chainId, isApproved })
  const hashed = hashToPoint(DOMAIN_TASKS, digest)
  const sorted = [...signers].sort((a, b) => a.id - b.id)
  const signatures = sorted.map((op) => op.bls.signPoint(hashed))
  return {
    aggregateSignature: aggregateSignatures(signatures).toEvm(),
    attesterIds: sorted.map((op) => op.id),
    signatures: signatures.map((sig) => sig.toEvm()),
  }
}

/** The performer's signature over the raw taskHash: ECDSA (65 bytes) or BLS. */
export async function performerSignature(
  op: { ecdsaKey: Hex; bls: SecretKey },
  task: TaskInfo,
  type: 'ecdsa' | 'bls',
): Promise<PerformerSignature> {
  if (type === 'ecdsa') {
    return { type: 'ecdsa', signature: await privateKeyToAccount(op.ecdsaKey).sign({ hash: taskHash(task) }) }
  }
  const [x, y] = op.bls.sign(DOMAIN_TASKS, taskHash(task)).toEvm()
  return { type: 'bls', signature: { x, y } }
}

/** Expects `promise` to reject with a ChainError of `code`; returns it. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (err) {
    return (err as { code?: string }).code ?? `uncoded: ${(err as Error).message}`
  }
  return 'resolved'
}
