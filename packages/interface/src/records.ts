// The records every layer passes around: an operator as the chain stores it, a task definition's
// rules, and the submission the aggregator hands to the chain.
import type { PerformerSignature, TaskDefinitionRules, TaskInfo } from '@wisp/protocol'

export type Address = `0x${string}`
export type Hex = `0x${string}`

/** One operator as the contracts store it. */
export interface OperatorRecord {
  /** 1-based operator index */
  id: number
  address: Address
  /** 128-byte EVM-encoded G2 key (uint256[4] = [x.re, x.im, y.re, y.im]) */
  blsPublicKey: Uint8Array
  votingPower: bigint
  active: boolean
  /** ejected operators are inactive for good (absent where the backend has no such notion) */
  ejected?: boolean
}

/** A task definition's rules as the engine uses them. */
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

/** A gossiped claim that `txHash` put the outcome of task `taskHash` on chain. */
export interface AnnouncedOutcome {
  taskHash: Hex
  txHash: Hex
  /** the task's performer (the outcome event names the task by its fields, not its hash) */
  performer: Address
}

/** What the chain says about an {@link AnnouncedOutcome}. */
export type OutcomeCheck =
  /** the transaction emitted the task's TaskSubmitted (approved) or TaskRejected from our AttestationCenter */
  | { status: 'confirmed'; isApproved: boolean; attesterIds: number[]; blockNumber: bigint }
  /**
   * Provably false: the transaction is mined but reverted or carries no such event, or no receipt
   * appeared within the checker's window (a made-up hash never will).
   */
  | { status: 'refuted'; reason: 'not_found' | 'reverted' | 'no_matching_event' }
  /** cannot tell now (the RPC failed): neither trust nor punish */
  | { status: 'unknown' }

/** Two BLS votes of one operator for one task, one per verdict: proof that it double-attested. */
export interface DoubleAttestationProof {
  task: TaskInfo
  operator: Address
  /** 64-byte EVM-encoded G1 signatures */
  approveSignature: Uint8Array
  rejectSignature: Uint8Array
}

/** A vote against the verdict the chain recorded, with the submitted aggregate that recorded it. */
export interface IncorrectAttestationProof {
  task: TaskInfo
  operator: Address
  /** the verdict on chain */
  isApproved: boolean
  /** the operator's 64-byte vote for the other verdict */
  incorrectSignature: Uint8Array
  /** the submitted 64-byte aggregate and its attesters */
  aggregateSignature: Uint8Array
  attesterIds: readonly number[]
}

/** What a slashing transaction did. */
export interface SlashOutcome {
  txHash: Hex
  slashedStake: bigint
  challengerReward: bigint
  ejected: boolean
}
