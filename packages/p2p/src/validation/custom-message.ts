import type { WireCustomMessage } from '@wisp/protocol'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { SeenCache } from './seen.js'

/**
 * Custom messages: bounded size (over it → reject, an honest node never publishes one) and a
 * per-author rate (over it → ignore: arrival timing differs between peers, so a forwarder that
 * saw the burst spread out must not be punished for it).
 */
export function validateCustomMessage(
  msg: WireCustomMessage,
  incoming: Incoming,
  ctx: ValidationContext,
): Verdict {
  const dataBytes = (msg.data.length - 2) / 2
  if (dataBytes > ctx.options.customMessages.maxDataBytes) return reject('custom_oversized')
  const key = SeenCache.key(incoming.topic, incoming.data)
  if (ctx.seen.checkAndMark(key)) return ignore('duplicate')
  if (!ctx.customRate.take(incoming.author ?? '')) {
    ctx.seen.forget(key)
    return ignore('rate_limited')
  }
  return ACCEPT
}
