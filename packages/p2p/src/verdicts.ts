// Gossip validation outcomes. reject = the peer misbehaved (gossipsub scores it down);
// ignore = not useful to us now (dropped, not forwarded, no penalty). An unexpected bug is ignore,
// never reject: our own failure must not punish honest peers.
import type { WireErrorCode } from '@wisp/protocol'

export type Outcome = 'accept' | 'ignore' | 'reject'

/** Stable reason codes; they label metrics, so never rename one. */
export const REJECT_REASONS = [
  'oversized',
  'malformed',
  'invalid_field',
  'bad_performer_signature',
  'bad_attester_signature',
  'unauthenticated',
  'custom_oversized',
] as const
export const IGNORE_REASONS = [
  'unknown_definition',
  'unknown_operator',
  'wrong_deployment',
  'inactive_operator',
  'duplicate',
  'rate_limited',
  'auth_pending',
  'internal',
] as const

export type RejectReason = (typeof REJECT_REASONS)[number]
export type IgnoreReason = (typeof IGNORE_REASONS)[number]

export type Verdict =
  | { outcome: 'accept'; reason: 'valid' }
  | { outcome: 'ignore'; reason: IgnoreReason }
  | { outcome: 'reject'; reason: RejectReason }

export const ACCEPT: Verdict = Object.freeze({ outcome: 'accept', reason: 'valid' })

export function ignore(reason: IgnoreReason): Verdict {
  return { outcome: 'ignore', reason }
}

export function reject(reason: RejectReason): Verdict {
  return { outcome: 'reject', reason }
}

/** Undecodable input is always the sender's fault. */
export function wireRejectReason(code: WireErrorCode): RejectReason {
  switch (code) {
    case 'WIRE_OVERSIZED':
      return 'oversized'
    case 'WIRE_INVALID_FIELD':
      return 'invalid_field'
    default:
      return 'malformed'
  }
}
