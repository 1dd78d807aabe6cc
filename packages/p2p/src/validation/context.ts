import type { BlsVerifier } from '@wisp/bls'
import type { Address } from 'viem'
import type { OperatorDirectory, TaskDefinitionDirectory } from '../directory.js'
import type { NetworkOptions } from '../options.js'
import type { Verdict } from '../verdicts.js'
import type { RateLimiter } from './rate-limit.js'
import type { SeenCache } from './seen.js'

/** Decides whether the author of an attestation may speak for an operator (auth/gate.ts). */
export interface AuthorGate {
  /** A verdict when the author is directly connected and not the attester; undefined to go on. */
  check(author: string, attester: Address): Promise<Verdict | undefined>
}

/**
 * Everything a validator consults. `directory` and `verifier` are absent in structural mode
 * (a relay without chain access): then only size, encoding, duplicates and rates are checked.
 */
export interface ValidationContext {
  options: NetworkOptions
  directory: OperatorDirectory | undefined
  definitions: TaskDefinitionDirectory | undefined
  verifier: BlsVerifier | undefined
  gate: AuthorGate | undefined
  seen: SeenCache
  customRate: RateLimiter
}

/** A gossip message as the validator sees it. */
export interface Incoming {
  topic: string
  data: Uint8Array
  /** The signing author's peer id (gossipsub StrictSign), not the peer that forwarded it. */
  author: string | undefined
}
