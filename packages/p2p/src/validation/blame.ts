// Who pays for a bad message. gossipsub charges a reject (P4) to the peer that forwarded the
// message to us, which is right for faults every honest forwarder catches (size, encoding, ECDSA
// signatures: even a structural relay checks them) and wrong for the rest: a relay without a
// directory cannot see a forged BLS vote, a false TaskSubmitted, an equivocation or its author's
// rate. For those:
//  - the author sent it to us itself (author === propagation source) → reject: P4 lands on it;
//  - another peer forwarded it → ignore (no penalty for the forwarder) and, for offences in the
//    content itself, charge the author `points` in the application-specific score (P5), which
//    counts whenever that author is (or becomes) connected to us.
import { type BlameableReason, ignore, reject, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'

export function isDirect(incoming: Incoming): boolean {
  return incoming.author !== undefined && incoming.author === incoming.from
}

export function blame(
  ctx: ValidationContext,
  incoming: Incoming,
  reason: BlameableReason,
  points: number = ctx.options.penalties.forwardedInvalid,
): Verdict {
  if (isDirect(incoming)) return reject(reason)
  if (incoming.author !== undefined && points > 0) {
    ctx.penalties.add(incoming.author, points)
    ctx.metrics.peerPenalized({ reason, points })
  }
  return ignore(reason)
}
