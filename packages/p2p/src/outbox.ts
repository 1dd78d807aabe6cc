import type { GossipSub } from '@libp2p/gossipsub'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import type { Logger } from './logger.js'

const MAX_HELD = 512
const HELD_TTL_MS = 120_000
/** After the topic has peers again: time for the rest of the network to reconnect and re-form the mesh. */
const GRACE_MS = 2000
const CHECK_MS = 500

interface Held {
  topic: string
  bytes: Uint8Array
  at: number
}

/**
 * Messages published while nobody subscribed to their topic (the relay restarting, a light node
 * offline for a moment) would reach nobody, ever: gossipsub does not queue. They are held here
 * (at most {@link MAX_HELD}, for {@link HELD_TTL_MS}) and published again once the topic has peers
 * again, {@link GRACE_MS} later so the other peers have reconnected too. A peer that already got
 * a message accepts the copy again only when it forwarded its own more than
 * `dedupe.redeliveryAfterMs` ago (the same redelivery as an attester re-publishing its vote; no
 * re-verification), and ignores it as a duplicate otherwise. `take(topic)` is our own per-topic
 * rate limit: a flush never sends faster than peers accept from us (beyond it they would reject
 * and score us down); what it holds back goes out on a later check.
 * Returns `hold` and `stop`.
 */
export function startOutbox(
  pubsub: GossipSub,
  logger: Logger,
  now: () => number,
  take: (topic: string) => boolean = () => true,
): { hold(topic: string, bytes: Uint8Array): void; stop(): void } {
  const held: Held[] = []
  const peersSince = new Map<string, number>()
  let timer: TimerHandle | undefined
  let stopped = false
  let flushing = false

  const flush = async () => {
    if (flushing || held.length === 0) return
    flushing = true
    try {
      const t = now()
      while (held.length > 0 && t - held[0]!.at > HELD_TTL_MS) held.shift()
      for (const topic of new Set(held.map((h) => h.topic))) {
        if (pubsub.getSubscribers(topic).length === 0) {
          peersSince.delete(topic)
          continue
        }
        const since = peersSince.get(topic) ?? t
        peersSince.set(topic, since)
        if (t - since < GRACE_MS) continue
        for (const message of held.filter((h) => h.topic === topic)) {
          if (!take(topic)) break
          const result = await pubsub.publish(topic, message.bytes).catch(() => ({ recipients: [] }))
          if (result.recipients.length > 0) held.splice(held.indexOf(message), 1)
        }
        logger.info('published held messages', { topic, left: held.filter((h) => h.topic === topic).length })
      }
    } finally {
      flushing = false
    }
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimer(() => void flush().finally(schedule), CHECK_MS)
  }
  schedule()
  return {
    hold(topic, bytes) {
      held.push({ topic, bytes, at: now() })
      if (held.length > MAX_HELD) held.shift()
    },
    stop() {
      stopped = true
      clearTimer(timer)
    },
  }
}
