// What the network layer reports. Portable: the Node entry maps it onto Prometheus
// (node/prometheus.ts); pages and workers can use the in-memory one.
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'
import type { GossipTopicKind } from '@wisp/protocol'
import type { Outcome } from './verdicts.js'

export type AuthOutcome = 'operator' | 'read-only' | 'failed'

/** Why we closed a connection: its peer fell below the graylist threshold, or is banned. */
export type DisconnectReason = 'graylisted' | 'banned'

/**
 * What the connection repair sweep did (connection-repair.ts): identified a connection again,
 * handed one back to gossipsub; and what makes the hand-back necessary: gossipsub dropping a peer
 * because reading its stream failed.
 */
export type ConnectionRepairKind = 'identify' | 'gossip_hand_back' | 'gossip_read_error'

/** A TaskSubmitted chain check: the chain's answer, answered from the cache, or not asked (busy). */
export type OutcomeCheckResult = 'confirmed' | 'refuted' | 'unknown' | 'cached' | 'busy'

/** Live figures pulled at scrape time rather than pushed on every change. */
export interface NetworkStats {
  connections(): number
  topicPeers(kind: GossipTopicKind): number
  /** peers banned right now */
  bannedPeers(): number
  /** peers with an application-specific penalty */
  penalizedPeers(): number
}

export interface P2PMetrics {
  messageValidated(event: { topic: GossipTopicKind; outcome: Outcome; reason: string; seconds: number }): void
  authCompleted(outcome: AuthOutcome): void
  /** a verified vote contradicting its operator's earlier vote on the task (accepted once) */
  equivocation(): void
  /** points charged to a message's author in the application-specific score */
  peerPenalized(event: { reason: string; points: number }): void
  outcomeChecked(result: OutcomeCheckResult): void
  /** we closed a peer's connection(s) and banned it, or refused a banned peer's new connection */
  peerDisconnected(reason: DisconnectReason): void
  connectionRepair(kind: ConnectionRepairKind): void
  /** Called once by a factory with its node, so gauges can be read when scraped. */
  attach(stats: NetworkStats): void
  /**
   * Where gossipsub keeps its own series (`gossipsub_*`, its names: Othentic's dashboard queries
   * some), if anywhere; `topics` are the topic labels to show at 0 from the start. Called once,
   * when the node's gossipsub service is built (`wispServices(…, metrics)`).
   */
  gossipsubRegister?(topics: readonly string[]): MetricsRegister
}

export interface MemoryMetrics extends P2PMetrics {
  /** `topic/outcome/reason` → count */
  readonly messages: ReadonlyMap<string, number>
  readonly auth: ReadonlyMap<AuthOutcome, number>
  readonly equivocations: number
  /** reason → points charged */
  readonly penalties: ReadonlyMap<string, number>
  readonly outcomeChecks: ReadonlyMap<OutcomeCheckResult, number>
  readonly disconnects: ReadonlyMap<DisconnectReason, number>
  readonly repairs: ReadonlyMap<ConnectionRepairKind, number>
  count(topic: GossipTopicKind, outcome: Outcome, reason?: string): number
  stats(): NetworkStats | undefined
}

export function createMemoryMetrics(): MemoryMetrics {
  const messages = new Map<string, number>()
  const auth = new Map<AuthOutcome, number>()
  const penalties = new Map<string, number>()
  const outcomeChecks = new Map<OutcomeCheckResult, number>()
  const disconnects = new Map<DisconnectReason, number>()
  const repairs = new Map<ConnectionRepairKind, number>()
  const bump = <K>(map: Map<K, number>, key: K, by = 1) => map.set(key, (map.get(key) ?? 0) + by)
  let attached: NetworkStats | undefined
  let equivocations = 0
  return {
    messages,
    auth,
    penalties,
    outcomeChecks,
    disconnects,
    repairs,
    get equivocations() {
      return equivocations
    },
    equivocation() {
      equivocations++
    },
    peerPenalized({ reason, points }) {
      bump(penalties, reason, points)
    },
    outcomeChecked(result) {
      bump(outcomeChecks, result)
    },
    peerDisconnected(reason) {
      bump(disconnects, reason)
    },
    connectionRepair(kind) {
      bump(repairs, kind)
    },
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
