import type { Address, Hex } from 'viem'
import type { G1Point, PerformerSignature } from '../signatures.js'

/**
 * Decoded, validated gossip and auth messages (docs/protocol.md §5). Canonical forms: addresses are
 * checksummed, hex is lower-case, BLS coordinates are bigints. Encoding writes hex and
 * 0x-padded 64-digit coordinates.
 */
export interface WireTask {
  proofOfTask: string
  data: Hex
  performer: Address
  /** uint16 on chain */
  definitionId: number
  signature: PerformerSignature
}

export interface WireAttestation {
  proofOfTask: string
  data: Hex
  performer: { address: Address; signature: PerformerSignature }
  attester: { address: Address; signature: G1Point }
  isApproved: boolean
  definitionId: number
}

export interface WireTaskSubmitted {
  taskId: string
  txHash: Hex
  performerAddress: Address
  /** 1-based operator indexes of the attesters; order as sent (not checked) */
  operatorIds: number[]
  definitionId: number
  isApproved: boolean
}

export interface WireCustomMessage {
  data: Hex
}

/** Wisp decision: the challenge is raw random bytes (Othentic's auth flow is not public). */
export interface WireAuthRequest {
  challenge: Uint8Array
}

/** Answers a challenge with a BLS signature over {@link authChallengeHash} (see hashes.ts). */
export interface WireAuthResponse {
  address: Address
  operatorId: number
  challenge: Uint8Array
  signature: G1Point
}

export interface WireMessageMap {
  task: WireTask
  attestation: WireAttestation
  taskSubmitted: WireTaskSubmitted
  customMessage: WireCustomMessage
  authRequest: WireAuthRequest
  authResponse: WireAuthResponse
}

export type WireKind = keyof WireMessageMap

export const WIRE_KINDS = [
  'task',
  'attestation',
  'taskSubmitted',
  'customMessage',
  'authRequest',
  'authResponse',
] as const satisfies readonly WireKind[]
