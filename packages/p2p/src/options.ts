// Options shared by every runtime's factory: plain, cloneable data with exported defaults.

import type { GossipTopicKind, WireLimits } from '@wisp/protocol'
import {
  DEFAULT_TOPIC_NAMESPACE,
  DEFAULT_WIRE_LIMITS,
  MAX_CUSTOM_MESSAGE_DATA_BYTES,
  TOPIC_SUFFIXES,
} from '@wisp/protocol'
import type { Address } from 'viem'
import { P2PError } from './errors.js'
import { DEFAULT_SCORING, type ScoringOptions } from './scoring.js'

/** One AttestationCenter a vote may be bound to. Multi-chain AVSs list every chain they serve. */
export interface Deployment {
  chainId: number
  attestationCenter: Address
}

export interface AuthOptions {
  /**
   * Challenge every connected peer that speaks the auth protocol and bind it to an operator id.
   * With auth on, an attestation authored by a directly connected peer is rejected unless that
   * peer proved it is the attester's operator. Read-only peers may still connect and gossip tasks.
   */
  enabled: boolean
  /** How long a challenge may take; also how long a validator waits for a pending one. */
  timeoutMs: number
}

export interface CustomMessageOptions {
  /** Bytes of `data` (not hex characters). */
  maxDataBytes: number
  /** Per author: at most `messages` within any `intervalMs` (token bucket); beyond that → ignore. */
  perPeer: { messages: number; intervalMs: number }
}

export interface DedupeOptions {
  /** Content hashes of accepted messages remembered per node, oldest evicted first. */
  maxEntries: number
  /** How long a content hash counts as seen; longer than gossipsub's own seen-cache (2 min). */
  ttlMs: number
  /**
   * Content accepted before and last forwarded longer ago than this is accepted (and forwarded)
   * again without re-verification: honest attesters re-publish their signed votes until the task
   * is final, so an aggregator or relay that restarted still gets them. Within the window a copy
   * is an ignore `duplicate`. Loops of one publication are stopped by gossipsub's message-id cache.
   */
  redeliveryAfterMs: number
  /** (task, attester) → verdict records kept to spot equivocations, oldest evicted first. */
  maxVotes: number
}

export interface RateLimit {
  messages: number
  intervalMs: number
}

/**
 * Per author and topic token buckets, checked right after decoding (before lookups and BLS work).
 * Over the limit: reject when the author sent it to us itself, ignore when forwarded.
 */
export interface RateLimitOptions {
  task: RateLimit
  attestation: RateLimit
  taskSubmitted: RateLimit
  /**
   * Per link: new gossip messages (all four topics) one directly connected peer may push to us,
   * whoever wrote them, checked before anything else. Bounds what a federated relay (a gossipsub
   * direct peer: never graylisted) can make us validate and forward, and what a swarm of authors
   * each within its own quota can push through one relay. Over it: reject when the peer wrote
   * the message itself, ignore when it forwarded it (a relay passing on a flood in good faith is
   * not punished; the flood's authors pay at their own relay).
   */
  perLink: RateLimit
}

/** Application-specific score: points charged to peers for what gossipsub's P4 cannot see. */
export interface PenaltyOptions {
  /** Charged to the author of a vote that contradicts its operator's earlier vote on a task. */
  equivocation: number
  /**
   * Charged to the author of a message that failed a check only a node with a directory, a BLS
   * verifier or a chain can make, when another peer forwarded it (the forwarder is not blamed).
   */
  forwardedInvalid: number
  /** Multiplier applied once per scoring decay interval (1 s). */
  decay: number
  /** Peers tracked at most; the smallest penalties are dropped first. */
  maxPeers: number
}

/** Peers whose score falls below the graylist threshold are hung up and banned for a while. */
export interface BanOptions {
  /** The first ban; each repeat offence doubles it. */
  firstMs: number
  maxMs: number
  /** A peer without an offence for this long starts again at `firstMs`. */
  forgetAfterMs: number
  /** Peers with a ban history tracked at most (oldest forgotten first). */
  maxPeers: number
}

/** The chain check of TaskSubmitted announcements (with `components.outcomes`). */
export interface OutcomeCheckOptions {
  /** (taskId, txHash) → result entries kept, so a repeated claim costs no second RPC call. */
  cacheEntries: number
  /** Checks outstanding at once; beyond it a claim is ignored (`busy`) unchecked. */
  maxPending: number
}

/**
 * How many attesters' BLS vote signatures this node checks (docs/architecture.md, "How much BLS
 * work a vote costs"). `all`: every vote — an aggregator must, since what it counts must be
 * genuine. `sample`: a vote is checked when it could be evidence (it contradicts a verified vote of
 * its operator on the task) and otherwise with probability `sampleRate`; the others are forwarded
 * unchecked, on the author's libp2p signature (StrictSign) and, with auth on, the gate's check
 * that a directly connected author is the attester's operator. Every other check still runs.
 */
export interface VoteCheckOptions {
  mode: 'all' | 'sample'
  /** In `sample` mode, the share of other votes checked anyway, chosen at random (0…1). */
  sampleRate: number
  /**
   * Peers of this network may sample (implied by `sample`). Then a forged vote is an ignore that
   * charges its author (P5), never a reject: gossipsub charges a reject (P4) to every peer that
   * delivered a copy, and honest sampling peers forward forged votes they did not check.
   */
  peersSample: boolean
}

export interface NetworkOptions {
  /** `othentic` interoperates with Othentic nodes; another namespace keeps a network separate. */
  topicNamespace: string
  /** The AttestationCenters this node serves. Empty: votes cannot be checked (structural mode). */
  deployments: Deployment[]
  /**
   * The AVS's other AttestationCenters (a multi-chain AVS shares one p2p network). A vote signed
   * for one of them is genuine but not ours → ignore; a vote valid for none is forged → reject.
   */
  foreignDeployments: Deployment[]
  auth: AuthOptions
  customMessages: CustomMessageOptions
  dedupe: DedupeOptions
  rateLimits: RateLimitOptions
  penalties: PenaltyOptions
  bans: BanOptions
  outcomeChecks: OutcomeCheckOptions
  voteChecks: VoteCheckOptions
  scoring: ScoringOptions
  /**
   * The gossip topics this node subscribes to (default: all four). A node that neither aggregates
   * nor watches may leave out 'attestation': it still publishes its own votes (gossipsub hands
   * them to connected peers that subscribe, its relays) but no longer receives every other
   * operator's vote, so the messages a task costs the network grow with its attesters, not with
   * their square.
   */
  subscribe: GossipTopicKind[]
  /** Multiaddrs dialled at start and redialled when lost (the relays). */
  bootstrap: string[]
  /** 32-byte Ed25519 seed (0x-hex) for a stable peer id; random when absent. */
  seed?: string
  wireLimits: WireLimits
}

export const DEFAULT_AUTH_OPTIONS: Readonly<AuthOptions> = Object.freeze({
  enabled: false,
  timeoutMs: 10_000,
})

export const DEFAULT_CUSTOM_MESSAGE_OPTIONS: Readonly<CustomMessageOptions> = Object.freeze({
  maxDataBytes: MAX_CUSTOM_MESSAGE_DATA_BYTES,
  // one message a second on average with bursts of 10: plenty for coordination, useless for spam
  perPeer: Object.freeze({ messages: 10, intervalMs: 10_000 }),
})

export const DEFAULT_DEDUPE_OPTIONS: Readonly<DedupeOptions> = Object.freeze({
  maxEntries: 16_384,
  ttlMs: 10 * 60 * 1000,
  // A re-published vote travels again after 2 s: longer than a gossip round trip over a relay
  // (so the copies of one burst are not forwarded twice), far shorter than the seconds between
  // an attester's re-publications of an unconfirmed vote.
  redeliveryAfterMs: 2000,
  // ~100 bytes each; thousands of tasks × attesters of the last minutes
  maxVotes: 16_384,
})

// 1000 messages per 10 s per author and topic (bursts of 1000, then 100/s). A performer may hand
// a burst of a hundred tasks to the network at once (JSON-RPC sendTask from an AVS's service),
// re-publishes the unconfirmed ones after seconds, and its attesters vote once per task each, so
// an honest author's rate is the AVS's task rate (plus a few re-publications) — tens per second
// at most on any chain we submit to, since the contract takes one submission per task. The limit
// is for valid-looking spam (replays): invalid messages cost their author far sooner (rejects →
// −4·n² each, graylisted after ~10, then banned).
const PER_AUTHOR: Readonly<RateLimit> = Object.freeze({ messages: 1000, intervalMs: 10_000 })

export const DEFAULT_RATE_LIMIT_OPTIONS: Readonly<RateLimitOptions> = Object.freeze({
  task: PER_AUTHOR,
  attestation: PER_AUTHOR,
  taskSubmitted: PER_AUTHOR,
  // A relay link carries the whole network's new messages: bursts of 5000, then 1000/s — a
  // thousand attesters voting on a task every second. A leaf peer's own messages stay far below
  // (its per-author limits), so for it this only catches a raw flood. Raise it for larger networks.
  perLink: Object.freeze({ messages: 5000, intervalMs: 5000 }),
})

export const DEFAULT_PENALTY_OPTIONS: Readonly<PenaltyOptions> = Object.freeze({
  // 2.5 × the graylist threshold (−400): an equivocator is cut off at once and stays below the
  // threshold for ~90 s (decay 0.99/s), i.e. one ban and, if it reconnects at once, one more.
  equivocation: 1000,
  // an honest peer never publishes forged votes; ~8 of them within a minute cost as much as the
  // graylist threshold, a single one (a stale key) is forgotten within minutes
  forwardedInvalid: 50,
  // half-life ≈ 69 s, like the first-delivery credit in scoring.ts
  decay: 0.99,
  maxPeers: 4096,
})

export const DEFAULT_BAN_OPTIONS: Readonly<BanOptions> = Object.freeze({
  // a minute lets its P4 penalty (×0.9/s) fade; a peer that comes back below the threshold
  // again is banned for 2, 4, 8 … minutes, at most an hour (gossipsub retains scores for an hour)
  firstMs: 60_000,
  maxMs: 60 * 60 * 1000,
  forgetAfterMs: 24 * 60 * 60 * 1000,
  maxPeers: 4096,
})

export const DEFAULT_OUTCOME_CHECK_OPTIONS: Readonly<OutcomeCheckOptions> = Object.freeze({
  // one entry per announced task of the last hour or so at a task every second
  cacheEntries: 4096,
  // the chain check may wait seconds for a receipt; an aggregator announces one task at a time,
  // so 64 covers a burst of tasks finishing together while a flood of made-up hashes cannot
  // hold more than 64 RPC calls open (the rest is ignored, not forwarded, not punished)
  maxPending: 64,
})

export const DEFAULT_VOTE_CHECK_OPTIONS: Readonly<VoteCheckOptions> = Object.freeze({
  mode: 'all',
  // with 16 voters a sampling node checks one vote per task on average, with 64 four
  sampleRate: 1 / 16,
  peersSample: false,
})

export const DEFAULT_NETWORK_OPTIONS: Readonly<NetworkOptions> = Object.freeze({
  topicNamespace: DEFAULT_TOPIC_NAMESPACE,
  deployments: [],
  foreignDeployments: [],
  auth: DEFAULT_AUTH_OPTIONS,
  customMessages: DEFAULT_CUSTOM_MESSAGE_OPTIONS,
  dedupe: DEFAULT_DEDUPE_OPTIONS,
  rateLimits: DEFAULT_RATE_LIMIT_OPTIONS,
  penalties: DEFAULT_PENALTY_OPTIONS,
  bans: DEFAULT_BAN_OPTIONS,
  outcomeChecks: DEFAULT_OUTCOME_CHECK_OPTIONS,
  voteChecks: DEFAULT_VOTE_CHECK_OPTIONS,
  scoring: DEFAULT_SCORING,
  subscribe: Object.keys(TOPIC_SUFFIXES) as GossipTopicKind[],
  bootstrap: [],
  wireLimits: DEFAULT_WIRE_LIMITS,
})

export type PartialNetworkOptions = Partial<
  Omit<
    NetworkOptions,
    | 'auth'
    | 'customMessages'
    | 'dedupe'
    | 'rateLimits'
    | 'penalties'
    | 'bans'
    | 'outcomeChecks'
    | 'voteChecks'
    | 'scoring'
  >
> & {
  auth?: Partial<AuthOptions>
  customMessages?: Partial<CustomMessageOptions>
  dedupe?: Partial<DedupeOptions>
  rateLimits?: Partial<RateLimitOptions>
  penalties?: Partial<PenaltyOptions>
  bans?: Partial<BanOptions>
  outcomeChecks?: Partial<OutcomeCheckOptions>
  voteChecks?: Partial<VoteCheckOptions>
  scoring?: Partial<ScoringOptions>
}

/** Fills in defaults section by section. Never mutates its input or the (frozen) defaults. */
export function resolveNetworkOptions(options: PartialNetworkOptions = {}): NetworkOptions {
  const d = DEFAULT_NETWORK_OPTIONS
  const voteChecks = { ...d.voteChecks, ...options.voteChecks }
  if (voteChecks.mode !== 'all' && voteChecks.mode !== 'sample') {
    throw new P2PError('P2P_INVALID_OPTIONS', `voteChecks.mode must be all or sample, not ${voteChecks.mode}`)
  }
  const rate = voteChecks.sampleRate
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      `voteChecks.sampleRate must be a number from 0 to 1, not ${rate}`,
    )
  }
  const subscribe = [...new Set(options.subscribe ?? d.subscribe)]
  const unknown = subscribe.filter((kind) => !Object.hasOwn(TOPIC_SUFFIXES, kind))
  if (unknown.length > 0) {
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      `subscribe names unknown topic kinds: ${unknown.join(', ')} (known: ${Object.keys(TOPIC_SUFFIXES).join(', ')})`,
    )
  }
  return {
    ...d,
    ...options,
    subscribe,
    deployments: [...(options.deployments ?? d.deployments)],
    foreignDeployments: [...(options.foreignDeployments ?? d.foreignDeployments)],
    bootstrap: [...(options.bootstrap ?? d.bootstrap)],
    auth: { ...d.auth, ...options.auth },
    customMessages: { ...d.customMessages, ...options.customMessages },
    dedupe: { ...d.dedupe, ...options.dedupe },
    rateLimits: { ...d.rateLimits, ...options.rateLimits },
    penalties: { ...d.penalties, ...options.penalties },
    bans: { ...d.bans, ...options.bans },
    outcomeChecks: { ...d.outcomeChecks, ...options.outcomeChecks },
    voteChecks,
    scoring: { ...d.scoring, ...options.scoring },
  }
}
