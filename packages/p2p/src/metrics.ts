// What the network layer reports. Portable: the Node entry maps it onto Prometheus
// (node/prometheus.ts); pages and workers can use the in-memory one.
import type { GossipTopicKind } from '@wisp/protocol'
import type { Outcome } from './verdicts.js'

export type AuthOutcome = 'operator' | 'read-only' | 'failed'

/** Live figures pulled at scrape time rather than pushed on every change. */
export interface NetworkStats {
  connections(): number
  topicPeers(kind: GossipTopicKind): number
}

export interface P2PMetrics {
  messageValidated(event: { topic: GossipTopicKind; outcome: Outcome; reason: string; seconds: number }): void
  authCompleted(outcome: AuthOutcome): void
  /** Called once by a factory with its node, so gauges can be read when scraped. */
  attach(stats: NetworkStats): void
}

export interface MemoryMetrics extends P2PMetrics {
  /** `topic/outcome/reason` → count */
  readonly messages: ReadonlyMap<string, number>
  readonly auth: ReadonlyMap<AuthOutcome, number>
  count(topic: GossipTopicKind, outcome: Outcome, reason?: string): number
  stats(): NetworkStats | undefined
}

export function createMemoryMetrics(): MemoryMetrics {
  const messages = new Map<string, number>()
  const auth = new Map<AuthOutcome, number>()
  let attached: NetworkStats | undefined
  return {
    messages,
    auth,
    messageValidated({ topic, outcome, reason }) {
      const key = `${topic}/${outcome}/${reason}`
      messages.set(key, (messages.get(key) ?? 0) + 1)
    },
    authCompleted(outcome) {
      auth.set(outcome, (auth.get(outcome) ?? 0) + 1)
    },
    attach(stats) {
      attached = stats
    },
    count(topic, outcome, reason) {
      let n = 0
      for (const [key, value] of messages) {
        const [t, o, r] = key.split('/')
        if (t === topic && o === outcome && (reason === undefined || r === reason)) n += value
      }
      return n
    },
    stats: () => attached,
  }
}
