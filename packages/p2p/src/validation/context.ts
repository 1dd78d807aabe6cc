import type { BlsVerifier } from '@wisp/bls'
import type { TaskOutcomeChecker } from '@wisp/interface'
import type { Address } from 'viem'
import type { PeerPenalties } from '../defences.js'
import type { OperatorDirectory, TaskDefinitionDirectory } from '../directory.js'
import type { P2PMetrics } from '../metrics.js'
import type { NetworkOptions } from '../options.js'
import type { Verdict } from '../verdicts.js'
import type { OutcomeCache } from './outcomes.js'
import type { RateLimiter } from './rate-limit.js'
import type { RejectionLog } from './rejections.js'
import type { SeenCache } from './seen.js'
import type { VoteBook } from './votes.js'

/** Decides whether the author of an attestation may speak for an operator (auth/gate.ts). */
export interface AuthorGate {
  /** A verdict when the author is directly connected and not the attester; undefined to go on. */
  check(author: string, attester: Address): Promise<Verdict | undefined>
}

/** The topics with a per-author rate limit in `options.rateLimits`. */
export type RateLimitedKind = 'task' | 'attestation' | 'taskSubmitted'

/**
 * Everything a validator consults. `directory` and `verifier` are absent in structural mode
 * (a relay without chain access): then only size, encoding, duplicates and rates are checked.
 */
export interface ValidationContext {
  options: NetworkOptions
  directory: OperatorDirectory | undefined
  definitions: TaskDefinitionDirectory | undefined
  verifier: BlsVerifier | undefined
  /** Checks TaskSubmitted announcements on chain; absent: structural checks only. */
  outcomes: TaskOutcomeChecker | undefined
  gate: AuthorGate | undefined
  seen: SeenCache
  customRate: RateLimiter
  /** Per author, one bucket set per topic (options.rateLimits). */
  rates: Record<RateLimitedKind, RateLimiter>
  /**
   * Per link (the propagation source), every topic (options.rateLimits.perLink). Every network
   * has one; absent only where a rule is exercised on its own.
   */
  linkRate?: RateLimiter
  /** Application-specific penalties (gossipsub's P5); validators charge authors here. */
  penalties: PeerPenalties
  /** Verified votes per (task, operator), to spot equivocations. */
  votes: VoteBook
  /** Results and in-flight calls of the TaskSubmitted chain check. */
  outcomeCache: OutcomeCache
  metrics: P2PMetrics
  /** Rejected messages told to the operator, rate-limited per topic and reason. */
  rejections?: RejectionLog
}

/** A gossip message as the validator sees it. */
export interface Incoming {
  topic: string
  data: Uint8Array
  /** The signing author's peer id (gossipsub StrictSign), not the peer that forwarded it. */
  author: string | undefined
  /**
   * The propagation source: the directly connected peer that sent us this copy. Equal to
   * `author` when the author published to us itself.
   */
  from: string
}
