// Gossip plumbing: one validator per topic (verdict → gossipsub result, timed and counted) and
// the typed dispatch of accepted messages to handlers.
import type { GossipSub, Message } from '@libp2p/gossipsub'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipTopicKind, GossipTopics, WireMessageMap } from '@wisp/protocol'
import type { AuthBook } from './auth/book.js'
import type { Logger } from './logger.js'
import type { P2PMetrics } from './metrics.js'
import type { ValidationContext } from './validation/context.js'
import { GOSSIP_KINDS, validateGossip } from './validation/validate.js'
import type { Outcome } from './verdicts.js'

export interface ReceivedMessage<K extends GossipTopicKind> {
  kind: K
  message: WireMessageMap[K]
  /** The author's peer id (messages are signed by their author's libp2p key). */
  from: string
  /** The operator the author proved to be, when it is directly connected and authenticated. */
  operatorId?: number
}

type Handler = (received: ReceivedMessage<GossipTopicKind>) => void

const RESULT: Record<Outcome, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
}

export interface WiredGossip {
  onMessage<K extends GossipTopicKind>(kind: K, handler: (received: ReceivedMessage<K>) => void): () => void
}

export function wireGossip(
  pubsub: GossipSub,
  topics: GossipTopics,
  deps: { ctx: ValidationContext; book: AuthBook; metrics: P2PMetrics; logger: Logger },
): WiredGossip {
  const { ctx, book, metrics, logger } = deps
  const kindOf = new Map<string, GossipTopicKind>(GOSSIP_KINDS.map((k) => [topics[k], k]))
  // Validators decode; handlers get the same decoded value (gossipsub passes one Message object).
  const decoded = new WeakMap<Message, WireMessageMap[GossipTopicKind]>()
  const handlers = new Map<GossipTopicKind, Set<Handler>>(GOSSIP_KINDS.map((k) => [k, new Set()]))
  const clock = monotonicClock()

  for (const kind of GOSSIP_KINDS) {
    pubsub.topicValidators.set(topics[kind], async (propagationSource, msg) => {
      const started = clock()
      const author = msg.type === 'signed' ? msg.from.toString() : undefined
      // who forwarded this copy to us: a reject's P4 penalty lands on it (see validation/blame.ts)
      const from = propagationSource.toString()
      const result = await validateGossip(kind, { topic: msg.topic, data: msg.data, author, from }, ctx)
      const { outcome, reason } = result.verdict
      metrics.messageValidated({ topic: kind, outcome, reason, seconds: (clock() - started) / 1000 })
      if (result.error !== undefined) {
        logger.warn('gossip validation failed unexpectedly', { topic: kind, error: String(result.error) })
      }
      if (outcome === 'accept' && result.message !== undefined) decoded.set(msg, result.message)
      return RESULT[outcome]
    })
  }

  pubsub.addEventListener('message', (evt) => {
    const msg = evt.detail
    const kind = kindOf.get(msg.topic)
    const message = decoded.get(msg)
    if (kind === undefined || message === undefined || msg.type !== 'signed') return
    const from = msg.from.toString()
    const auth = book.get(from)
    const received: ReceivedMessage<GossipTopicKind> = {
      kind,
      message,
      from,
      ...(auth?.state === 'operator' ? { operatorId: auth.operatorId } : {}),
    }
    for (const handler of handlers.get(kind) ?? []) {
      try {
        handler(received)
      } catch (err) {
        logger.error('message handler threw', { topic: kind, error: String(err) })
      }
    }
  })

  return {
    onMessage(kind, handler) {
      const set = handlers.get(kind)!
      const h = handler as unknown as Handler
      set.add(h)
      return () => set.delete(h)
    },
  }
}

/** performance.now where the runtime has it (all of ours do), Date.now otherwise. */
function monotonicClock(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance
  return perf !== undefined ? () => perf.now() : Date.now
}
