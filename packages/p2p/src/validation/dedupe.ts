import { ACCEPT, ignore, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { SeenCache } from './seen.js'

/**
 * Content dedupe around a validator's expensive part: a duplicate is ignored, a redelivery of
 * accepted content (last forwarded more than `dedupe.redeliveryAfterMs` ago) is accepted again
 * without running `judge`, new content is judged and remembered only if accepted.
 */
export async function judgeOnce(
  ctx: ValidationContext,
  incoming: Incoming,
  judge: () => Promise<Verdict>,
): Promise<Verdict> {
  const key = SeenCache.key(incoming.topic, incoming.data)
  const state = ctx.seen.check(key)
  if (state === 'duplicate') return ignore('duplicate')
  if (state === 'redeliver') return ACCEPT
  let verdict: Verdict
  try {
    verdict = await judge()
  } catch (err) {
    ctx.seen.forget(key)
    throw err
  }
  if (verdict.outcome === 'accept') ctx.seen.accepted(key)
  else ctx.seen.forget(key)
  return verdict
}
