import { WispError } from '@wisp/protocol'

/** Stable codes of every failure this package reports. */
export type BlsErrorCode =
  /** Bytes or hex of the wrong length or shape. */
  | 'BLS_INVALID_ENCODING'
  /** A coordinate is not below the field modulus. */
  | 'BLS_COORDINATE_OUT_OF_RANGE'
  /** The point does not satisfy the curve equation. */
  | 'BLS_POINT_NOT_ON_CURVE'
  /** On the curve but outside the prime-order subgroup (G2 only: G1 has cofactor 1). */
  | 'BLS_POINT_NOT_IN_SUBGROUP'
  /** The point at infinity, which no honest key or signature is. */
  | 'BLS_POINT_AT_INFINITY'
  /** Secret key outside [1, r). */
  | 'BLS_INVALID_SECRET_KEY'
  /** An empty list where at least one item is needed. */
  | 'BLS_EMPTY_INPUT'
  /** A field element hashed to zero: probability 2^-254, reported rather than mapped silently. */
  | 'BLS_HASH_DEGENERATE'
  /** The worker pool was closed or a worker died. */
  | 'BLS_POOL_CLOSED'
  | 'BLS_WORKER_FAILED'

export class BlsError extends WispError<BlsErrorCode> {
  constructor(
    code: BlsErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'BlsError' })
  }
}
