// What the engine needs from the outside world, as small interfaces. The engine never imports
// libp2p, viem clients, idb or comlink: `@wisp/p2p`, `@wisp/chain`, `@wisp/storage` and the
// runtimes plug in here.
import type { GossipTopicKind, WireMessageMap } from '@wisp/protocol'
import type {
  Address,
  AnnouncedOutcome,
  DoubleAttestationProof,
  Hex,
  IncorrectAttestationProof,
  OperatorRecord,
  OutcomeCheck,
  SlashOutcome,
  SubmitTaskOutcome,
  SubmitTaskParams,
  TaskDefinitionInfo,
} from './records.js'

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

/** Chain access the engine needs; `@wisp/chain` implements it with viem. */
export interface ChainPort {
  readonly chainId: number
  readonly attestationCenter: Address
  getBlockNumber(): Promise<bigint>
  /**
   * The latest block's gas limit (may be cached for a minute): the aggregator keeps a submission
   * within it. Absent: no gas bound on the attesters a submission carries.
   */
  getBlockGasLimit?(): Promise<bigint>
  /** the full operator set (small: an AVS has at most a few thousand) */
  getOperators(): Promise<OperatorRecord[]>
  getNetworkTotal(): Promise<bigint>
  getTaskDefinition(id: number): Promise<TaskDefinitionInfo | undefined>
  /** simulates, then sends; throws a coded error naming the contract error on revert */
  submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome>
  /** what the chain says about an announced outcome (see {@link TaskOutcomeChecker}) */
  checkTaskOutcome(outcome: AnnouncedOutcome): Promise<OutcomeCheck>
  /**
   * Files a double-attestation proof (`slashOperatorForDoubleAttestation`); the sender is the
   * challenger and collects the challenger reward. Absent on read-only ports.
   */
  proveDoubleAttestation?(proof: DoubleAttestationProof): Promise<SlashOutcome>
  /**
   * Files `slashOperatorForIncorrectAttestation`: only where the task's definition enables that
   * slashing (else the contract refuses it in simulation, `SlashingNotEnabled`, at no gas).
   */
  proveIncorrectAttestation?(proof: IncorrectAttestationProof): Promise<SlashOutcome>
}

/**
 * Checks a gossiped TaskSubmitted against the chain: an announcement is a hint, the chain is the
 * authority. `@wisp/chain` reads the transaction's receipt (waiting a bounded window for it).
 */
export interface TaskOutcomeChecker {
  checkTaskOutcome(outcome: AnnouncedOutcome): Promise<OutcomeCheck>
}

/** BLS signing; in a browser the key lives in a worker behind this interface. */
export interface BlsSignerPort {
  /** 128-byte EVM-encoded G2 key */
  readonly publicKey: Uint8Array
  /** 64-byte EVM-encoded G1 signature of hashToPoint(domain, digest) */
  sign(domain: Uint8Array, digest: Uint8Array): Promise<Uint8Array>
}

/** ECDSA over a raw 32-byte hash (the performer signature of docs/protocol.md). */
export interface EcdsaSignerPort {
  readonly address: Address
  signHash(hash: Hex): Promise<Hex>
}

/** Operators by id and address: what the network layer checks gossip against (`@wisp/chain` reads the contracts). */
export interface OperatorDirectory {
  getOperator(id: number): Promise<OperatorRecord | undefined>
  getOperatorByAddress(address: Address): Promise<OperatorRecord | undefined>
}

/** Whether a task definition exists (gossip for unknown definitions is dropped). */
export interface TaskDefinitionDirectory {
  hasTaskDefinition(id: number): Promise<boolean>
}
