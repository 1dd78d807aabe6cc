/**
 * Decoding limits. Every bound exists so that a hostile peer's message costs us little before we
 * refuse it, while anything an honest performer can get accepted on chain still fits.
 * Plain data; pass a modified copy of {@link DEFAULT_WIRE_LIMITS} to change them.
 */
export interface WireLimits {
  /** Whole-message byte limits per kind, checked before any parsing. */
  maxMessageBytes: {
    task: number
    attestation: number
    taskSubmitted: number
    customMessage: number
    authRequest: number
    authResponse: number
  }
  /** Characters of `proofOfTask`. */
  maxProofOfTaskLength: number
  /** Bytes (not hex characters) of a task's `data`. */
  maxTaskDataBytes: number
  /** Bytes of a custom message's `data`. */
  maxCustomMessageDataBytes: number
  /** Entries of `TaskSubmitted.operatorIds`. */
  maxOperatorIds: number
  /** Characters of `TaskSubmitted.taskId`. */
  maxTaskIdLength: number
  minAuthChallengeBytes: number
  maxAuthChallengeBytes: number
}

/** Default topic limit: a Task/Attestation with maximal data and proof still fits. */
export const MAX_GOSSIP_MESSAGE_BYTES = 64 * 1024

/**
 * Task data goes into submitTask calldata and the TaskSubmitted event: 16 KiB already costs
 * ~260k gas of calldata alone, so more is impractical on chain. As hex it is 32 KiB, leaving
 * room in a 64 KiB message for the proof of task and signatures.
 */
export const MAX_TASK_DATA_BYTES = 16 * 1024

/** CIDs, tx hashes and URLs are < 200 characters; 8 KiB leaves room for small inline proofs. */
export const MAX_PROOF_OF_TASK_LENGTH = 8 * 1024

/** Custom message data as hex (2 chars per byte) plus framing must fit in 64 KiB. */
export const MAX_CUSTOM_MESSAGE_DATA_BYTES = 30 * 1024

/**
 * More attesters than fit in one submitTask are useless: each id costs an on-chain G2 addition
 * and storage reads (tens of thousands of gas), so a 30M-gas block holds well under 2048.
 */
export const MAX_OPERATOR_IDS = 2048

/** 2048 ids × (1 tag + ≤ 5 varint bytes) ≈ 12 KiB, plus hashes and addresses. */
export const MAX_TASK_SUBMITTED_BYTES = 16 * 1024

/** Task ids are short identifiers (a number, a hash or a UUID). */
export const MAX_TASK_ID_LENGTH = 256

/** 128 bits of randomness make a challenge unguessable; more than 64 bytes adds nothing. */
export const MIN_AUTH_CHALLENGE_BYTES = 16
export const MAX_AUTH_CHALLENGE_BYTES = 64

/** An auth message is an address, an id, a challenge and a G1 point: a few hundred bytes. */
export const MAX_AUTH_MESSAGE_BYTES = 1024

export const DEFAULT_WIRE_LIMITS: Readonly<WireLimits> = Object.freeze({
  maxMessageBytes: Object.freeze({
    task: MAX_GOSSIP_MESSAGE_BYTES,
    attestation: MAX_GOSSIP_MESSAGE_BYTES,
    taskSubmitted: MAX_TASK_SUBMITTED_BYTES,
    customMessage: MAX_GOSSIP_MESSAGE_BYTES,
    authRequest: MAX_AUTH_MESSAGE_BYTES,
    authResponse: MAX_AUTH_MESSAGE_BYTES,
  }),
  maxProofOfTaskLength: MAX_PROOF_OF_TASK_LENGTH,
  maxTaskDataBytes: MAX_TASK_DATA_BYTES,
  maxCustomMessageDataBytes: MAX_CUSTOM_MESSAGE_DATA_BYTES,
  maxOperatorIds: MAX_OPERATOR_IDS,
  maxTaskIdLength: MAX_TASK_ID_LENGTH,
  minAuthChallengeBytes: MIN_AUTH_CHALLENGE_BYTES,
  maxAuthChallengeBytes: MAX_AUTH_CHALLENGE_BYTES,
})
