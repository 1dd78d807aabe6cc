// The byte-level verification API: what crosses a worker boundary. Plain bytes in, tagged
// results out — never a thrown error, so one bad job cannot fail its whole batch.
import { type ErrorInfo, toErrorInfo } from '@wisp/protocol'
import { toBytes } from './bytes.js'
import { BlsError } from './errors.js'
import { PublicKey, Signature } from './keys.js'
import { type SignedMessage, verifyBatch } from './verify.js'

export interface VerifyJob {
  /** 32-byte BLS domain (DOMAIN_TASKS, DOMAIN_AUTH) */
  domain: Uint8Array
  /** 32-byte digest that was hashed to the curve (voteHash, taskHash, authHash, …) */
  digest: Uint8Array
  /** 128-byte EVM-encoded G2 key */
  publicKey: Uint8Array
  /** 64-byte EVM-encoded G1 signature */
  signature: Uint8Array
}

export type VerifyOutcome = { ok: true; valid: boolean } | { ok: false; error: ErrorInfo }

/**
 * Validated keys by their bytes. Validating a G2 key (subgroup check) costs about as much as half a
 * pairing and its line precompute another quarter; an AVS has at most a few thousand operators,
 * so keeping them all is cheap and turns each into a one-time cost.
 */
export const PUBLIC_KEY_CACHE_SIZE = 4096

export class PublicKeyCache {
  readonly #entries = new Map<string, PublicKey>()
  readonly #capacity: number

  constructor(capacity = PUBLIC_KEY_CACHE_SIZE) {
    this.#capacity = capacity
  }

  get size(): number {
    return this.#entries.size
  }

  /** Decodes and validates, or returns the cached key; throws BlsError on a bad key. */
  get(bytes: Uint8Array): PublicKey {
    const key = keyOf(bytes)
    const hit = this.#entries.get(key)
    if (hit !== undefined) {
      // refresh recency: Map iteration order is insertion order
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit
    }
    const publicKey = PublicKey.fromBytes(bytes)
    if (this.#entries.size >= this.#capacity) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, publicKey)
    return publicKey
  }
}

function keyOf(bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return s
}

/** Decodes every job, verifies the decodable ones in one batch, and answers in input order. */
export function verifyJobs(jobs: readonly VerifyJob[], cache: PublicKeyCache): VerifyOutcome[] {
  const outcomes = new Array<VerifyOutcome>(jobs.length)
  const decoded: SignedMessage[] = []
  const positions: number[] = []
  jobs.forEach((job, i) => {
    try {
      if (typeof job !== 'object' || job === null)
        throw new BlsError('BLS_INVALID_ENCODING', 'job must be an object')
      decoded.push({
        domain: toBytes(job.domain, 32, 'domain'),
        digest: toBytes(job.digest, 32, 'digest'),
        publicKey: cache.get(job.publicKey),
        signature: Signature.fromBytes(job.signature),
      })
      positions.push(i)
    } catch (err) {
      outcomes[i] = { ok: false, error: toErrorInfo(err) }
    }
  })
  try {
    const valid = verifyBatch(decoded)
    positions.forEach((pos, k) => {
      outcomes[pos] = { ok: true, valid: valid[k]! }
    })
  } catch (err) {
    const error = toErrorInfo(err)
    for (const pos of positions) outcomes[pos] = { ok: false, error }
  }
  return outcomes
}

/** Builds a job from typed values (the usual caller side). */
export function toVerifyJob(job: {
  domain: Uint8Array | `0x${string}`
  digest: Uint8Array | `0x${string}`
  publicKey: PublicKey | Uint8Array
  signature: Signature | Uint8Array
}): VerifyJob {
  return {
    domain: toBytes(job.domain, 32, 'domain'),
    digest: toBytes(job.digest, 32, 'digest'),
    publicKey: job.publicKey instanceof PublicKey ? job.publicKey.toBytes() : job.publicKey,
    signature: job.signature instanceof Signature ? job.signature.toBytes() : job.signature,
  }
}
