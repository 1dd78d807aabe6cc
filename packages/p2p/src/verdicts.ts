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
  // added for hostile peers (see validation/blame.ts for when these are reject and when ignore)
  'rate_limited',
  'false_outcome',
  'equivocation',
  // added for federated relays
  /** one link pushed more new messages than rateLimits.perLink allows */
  'link_rate_limited',
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
  // added for hostile peers
  /** a TaskSubmitted the chain could not confirm or refute now (RPC down, receipt not yet there) */
  'unverified',
  /** too many TaskSubmitted chain checks outstanding; the claim is dropped unchecked */
  'busy',
  // Offences only a node with a directory, a verifier or a chain can see. Forwarded by another
  // peer (which may be a structural relay that could not see them) they are ignored, and the
  // author is charged through the application-specific score instead of the forwarder.
  'bad_performer_signature',
  'bad_attester_signature',
  'false_outcome',
  'equivocation',
  // added for federated relays: a link over its budget, or an author we know is not the
  // attester's operator, when another peer (e.g. a relay with auth off) forwarded the message
  'link_rate_limited',
  'unauthenticated',
] as const

export type RejectReason = (typeof REJECT_REASONS)[number]
export type IgnoreReason = (typeof IGNORE_REASONS)[number]

/** Reasons that are a reject when the author sent the message itself, an ignore when forwarded. */
export type BlameableReason = RejectReason & IgnoreReason

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
