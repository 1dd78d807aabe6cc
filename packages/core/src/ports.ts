// What the engine needs from the outside world, as small interfaces. The engine never imports
// libp2p, viem clients, idb or comlink: `@wisp/p2p`, `@wisp/chain`, `@wisp/storage` and the
// runtimes (node CLI, web app, edge worker) plug in here, and tests use the real ones.
import type {
  GossipTopicKind,
  PerformerSignature,
  TaskDefinitionRules,
  TaskInfo,
  WireMessageMap,
} from '@wisp/protocol'

type Address = `0x${string}`
type Hex = `0x${string}`

/** A gossip message that passed the network's validators. */
export interface GossipReceived<K extends GossipTopicKind> {
  kind: K
  message: WireMessageMap[K]
  /** author peer id */
  from: string
  /** the operator the author proved to be (operator auth), when known */
  operatorId?: number
}

/** `@wisp/p2p`'s WispNetwork satisfies this. */
export interface GossipPort {
  publish<K extends GossipTopicKind>(kind: K, message: WireMessageMap[K]): Promise<{ recipients: number }>
  onMessage<K extends GossipTopicKind>(kind: K, handler: (received: GossipReceived<K>) => void): () => void
}

export interface OperatorRecord {
  /** 1-based operator index */
  id: number
  address: Address
  /** 128-byte EVM-encoded G2 key */
  blsPublicKey: Uint8Array
  votingPower: bigint
  active: boolean
}

export interface TaskDefinitionInfo extends TaskDefinitionRules {
  /** block at which the definition expires (0 = never) */
  blockExpiry: bigint
  /** the definition's voting-power snapshot (0 = never computed) */
  definitionTotal: bigint
}

export interface SubmitTaskParams {
  task: TaskInfo
  performerSignature: PerformerSignature
  isApproved: boolean
  /** aggregate attester signature, [x, y] */
  aggregateSignature: readonly [bigint, bigint]
  /** strictly increasing operator ids */
  attesterIds: readonly number[]
}

export type SubmitTaskOutcome =
  | { status: 'included'; txHash: Hex; blockNumber: bigint; event: 'TaskSubmitted' | 'TaskRejected' }
  /** another aggregator got there first (MessageAlreadySigned) */
  | { status: 'already-submitted' }

/** Chain access the engine needs; `@wisp/chain` implements it with viem. */
export interface ChainPort {
  readonly chainId: number
  readonly attestationCenter: Address
  getBlockNumber(): Promise<bigint>
  /** the full operator set (small: an AVS has at most a few thousand) */
  getOperators(): Promise<OperatorRecord[]>
  getNetworkTotal(): Promise<bigint>
  getTaskDefinition(id: number): Promise<TaskDefinitionInfo | undefined>
  /** simulates, then sends; throws a coded error naming the contract error on revert */
  submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome>
}

/** BLS signing; in a browser the key lives in a worker behind this interface. */
export interface BlsSignerPort {
  /** 128-byte EVM-encoded G2 key */
  readonly publicKey: Uint8Array
  /** 64-byte EVM-encoded G1 signature of hashToPoint(domain, digest) */
  sign(domain: Uint8Array, digest: Uint8Array): Promise<Uint8Array>
}

/** ECDSA over a raw 32-byte hash (the performer signature of PROTOCOL.md §3 step 3). */
export interface EcdsaSignerPort {
  readonly address: Address
  signHash(hash: Hex): Promise<Hex>
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** Counters and histograms; Node maps them to Prometheus, the web app to its dashboard. */
export interface MetricsPort {
  increment(name: string, labels?: Record<string, string>, by?: number): void
  observe(name: string, value: number, labels?: Record<string, string>): void
}

export const noopMetrics: MetricsPort = { increment() {}, observe() {} }
