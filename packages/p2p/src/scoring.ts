// Gossipsub peer scoring, written down as plain data so it can be logged, cloned and overridden.
// The numbers and why (decay factors apply once per decay interval, 1 s):
//
// Thresholds: a peer below `gossip` (-40) gets no IHAVE/IWANT from us, below `publish` (-80) none
// of our own messages, below `graylist` (-400) we drop everything it sends. A few rejected
// messages (a buggy plugin, a stale key) cost an honest peer gossip for some seconds; sustained
// garbage (≈10 rejects within seconds) cuts it off.
//
// Per topic (weights: task and attestation 1 — the traffic that costs us BLS work —,
// task_submitted 0.5, custom_message 0.25):
//  P1 time in mesh: +0.01 per second, capped at 10 min → at most +6; rewards stable peers a little.
//  P2 first deliveries: +0.5 per message we saw first from the peer, cap 20, decay 0.99
//     (half-life ≈ 70 s) → at most +10.
//  P3/P3b mesh delivery deficits: OFF. AVS traffic is bursty (a task every few seconds or
//     minutes), so an expected delivery rate would punish honest quiet mesh peers.
//  P4 invalid messages: −4 × n² (n decays ×0.9 per second): 3 rejects → −36, 10 → −400 (graylist).
// The positive topic contributions are capped at 20, so nobody banks credit to spend on spam.
//  P6 IP colocation: −5 × (peers on one IP − 10)², except whitelisted IPs. Loopback is
//     whitelisted because a relay behind a local reverse proxy sees every peer from 127.0.0.1.
//  P5 application-specific (weight 1): minus the peer's PeerPenalties (defences.ts), charged for
//     what P4 cannot see because the message was accepted or the blame belongs to its author, not
//     to the peer that forwarded it: an equivocating vote costs its author 1000 (2.5 × graylist:
//     cut off at once, below the threshold for ~90 s), a forged message that a relay forwarded
//     for its author costs the author 50 — as does every forged vote, forwarded or not, where
//     peers sample votes (voteChecks.peersSample: a reject would cost the honest forwarders of its
//     copies their P4 too). Penalties decay ×0.99 per second (half-life ≈ 69 s).
//  P7 behaviour (broken IWANT promises, GRAFT during backoff): gossipsub's defaults.
// Below graylist a peer is also hung up and banned (60 s, doubling per repeat, at most 1 h; see
// `bans` in options.ts and startNetwork): gossipsub itself only stops listening to it.
import type { GossipTopicKind, GossipTopics } from '@wisp/protocol'

export interface TopicScoring {
  weight: number
  timeInMeshWeight: number
  timeInMeshQuantumMs: number
  timeInMeshCap: number
  firstDeliveryWeight: number
  firstDeliveryDecay: number
  firstDeliveryCap: number
  invalidMessageWeight: number
  invalidMessageDecay: number
}

export interface ScoringOptions {
  topics: Record<GossipTopicKind, TopicScoring>
  thresholds: {
    gossip: number
    publish: number
    graylist: number
    acceptPX: number
    opportunisticGraft: number
  }
  topicScoreCap: number
  ipColocation: { weight: number; threshold: number; whitelist: string[] }
  behaviourPenalty: { weight: number; threshold: number; decay: number }
  decayIntervalMs: number
  decayToZero: number
  /** How long a disconnected peer's (negative) score is remembered, so reconnecting does not reset it. */
  retainScoreMs: number
}

function topic(weight: number): TopicScoring {
  return {
    weight,
    timeInMeshWeight: 0.01,
    timeInMeshQuantumMs: 1000,
    timeInMeshCap: 600,
    firstDeliveryWeight: 0.5,
    firstDeliveryDecay: 0.99,
    firstDeliveryCap: 20,
    invalidMessageWeight: -4,
    invalidMessageDecay: 0.9,
  }
}

export const DEFAULT_SCORING: Readonly<ScoringOptions> = Object.freeze({
  topics: {
    task: topic(1),
    attestation: topic(1),
    taskSubmitted: topic(0.5),
    customMessage: topic(0.25),
  },
  thresholds: { gossip: -40, publish: -80, graylist: -400, acceptPX: 100, opportunisticGraft: 5 },
  topicScoreCap: 20,
  ipColocation: { weight: -5, threshold: 10, whitelist: ['127.0.0.1', '::1'] },
  behaviourPenalty: { weight: -10, threshold: 0, decay: 0.2 },
  decayIntervalMs: 1000,
  decayToZero: 0.01,
  retainScoreMs: 60 * 60 * 1000,
})

/** What gossipsub takes (`scoreParams`, `scoreThresholds`), built from the plain options. */
export function gossipsubScoring(
  scoring: ScoringOptions,
  topics: GossipTopics,
  /** P5: the application's opinion of a peer (≤ 0 here: PeerPenalties.score); 0 for everyone when absent */
  appSpecificScore: (peerId: string) => number = () => 0,
  /**
   * Other topics whose rejects must cost the sender (the relays' announcements): scored like
   * custom messages. gossipsub counts no P4 at all on a topic without parameters.
   */
  otherTopics: readonly string[] = [],
) {
  const topicParams: Record<string, ReturnType<typeof topicParamsOf>> = {}
  for (const kind of Object.keys(topics) as GossipTopicKind[]) {
    topicParams[topics[kind]] = topicParamsOf(scoring.topics[kind])
  }
  for (const topic of otherTopics) topicParams[topic] = topicParamsOf(scoring.topics.customMessage)
  return {
    scoreParams: {
      topics: topicParams,
      topicScoreCap: scoring.topicScoreCap,
      appSpecificScore,
      appSpecificWeight: 1,
      IPColocationFactorWeight: scoring.ipColocation.weight,
      IPColocationFactorThreshold: scoring.ipColocation.threshold,
      IPColocationFactorWhitelist: new Set(scoring.ipColocation.whitelist),
      behaviourPenaltyWeight: scoring.behaviourPenalty.weight,
      behaviourPenaltyThreshold: scoring.behaviourPenalty.threshold,
      behaviourPenaltyDecay: scoring.behaviourPenalty.decay,
      decayInterval: scoring.decayIntervalMs,
      decayToZero: scoring.decayToZero,
      retainScore: scoring.retainScoreMs,
    },
    scoreThresholds: {
      gossipThreshold: scoring.thresholds.gossip,
      publishThreshold: scoring.thresholds.publish,
      graylistThreshold: scoring.thresholds.graylist,
      acceptPXThreshold: scoring.thresholds.acceptPX,
      opportunisticGraftThreshold: scoring.thresholds.opportunisticGraft,
    },
  }
}

function topicParamsOf(t: TopicScoring) {
  return {
    topicWeight: t.weight,
    timeInMeshWeight: t.timeInMeshWeight,
    timeInMeshQuantum: t.timeInMeshQuantumMs,
    timeInMeshCap: t.timeInMeshCap,
    firstMessageDeliveriesWeight: t.firstDeliveryWeight,
    firstMessageDeliveriesDecay: t.firstDeliveryDecay,
    firstMessageDeliveriesCap: t.firstDeliveryCap,
    // P3/P3b off (see above); the remaining fields must still be valid numbers
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 10,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: t.invalidMessageWeight,
    invalidMessageDeliveriesDecay: t.invalidMessageDecay,
  }
}
