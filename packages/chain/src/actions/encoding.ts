// Conversions between the contracts' uint256 words and the shapes the rest of Wisp uses; the word
// codec itself is @wisp/protocol's.
import { MAX_UINT256, readWord } from '@wisp/protocol'
import { ChainError } from '../errors.js'

export { wordsToBytes } from '@wisp/protocol'

/**
 * A G1 point (a BLS signature) as `[x, y]` words, `{x, y}` (protocol's G1Point) or its 64-byte
 * EVM encoding (x then y, 32 bytes each, big-endian: what `@wisp/bls` and the gossip carry).
 */
export type G1Like = readonly [bigint, bigint] | { readonly x: bigint; readonly y: bigint } | Uint8Array
/** A G2 point (a BLS public key) as `[x.re, x.im, y.re, y.im]` words or its 128-byte encoding. */
export type G2Like = readonly [bigint, bigint, bigint, bigint] | Uint8Array

function checkWord(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_UINT256) {
    throw new ChainError('CHAIN_INVALID_INPUT', `${what} must be a uint256 bigint`, { details: { what } })
  }
  return value
}

export function g1Words(point: G1Like, what = 'G1 point'): readonly [bigint, bigint] {
  if (point instanceof Uint8Array) {
    if (point.length !== 64) throw new ChainError('CHAIN_INVALID_INPUT', `${what} needs 64 bytes`)
    return [readWord(point, 0), readWord(point, 32)]
  }
  if (Array.isArray(point)) {
    if (point.length !== 2) throw new ChainError('CHAIN_INVALID_INPUT', `${what} needs 2 words`)
    return [checkWord(point[0], what), checkWord(point[1], what)]
  }
  const p = point as { x: unknown; y: unknown }
  if (!p || typeof p !== 'object')
    throw new ChainError('CHAIN_INVALID_INPUT', `${what} must be [x, y] or {x, y}`)
  return [checkWord(p.x, what), checkWord(p.y, what)]
}

export function g2Words(point: G2Like, what = 'G2 point'): readonly [bigint, bigint, bigint, bigint] {
  if (point instanceof Uint8Array) {
    if (point.length !== 128) throw new ChainError('CHAIN_INVALID_INPUT', `${what} needs 128 bytes`)
    const words = [0, 1, 2, 3].map((i) => readWord(point, i * 32))
    return [words[0]!, words[1]!, words[2]!, words[3]!]
  }
  if (!Array.isArray(point) || point.length !== 4) {
    throw new ChainError('CHAIN_INVALID_INPUT', `${what} needs 4 words`)
  }
  return [
    checkWord(point[0], what),
    checkWord(point[1], what),
    checkWord(point[2], what),
    checkWord(point[3], what),
  ]
}

/**
 * A uint256 that must fit a JS number (ids, counts). With `clamp`, values past
 * MAX_SAFE_INTEGER (e.g. "no maximum" written as a huge number) read as MAX_SAFE_INTEGER.
 */
export function toSafeNumber(value: bigint, clamp = false): number {
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value)
  if (clamp) return Number.MAX_SAFE_INTEGER
  throw new ChainError('CHAIN_UNEXPECTED', `value ${value} does not fit a JS number`)
}

/** Operator ids (1-based, safe integers) → uint256[] for the contracts. Order is kept as given. */
export function operatorIdWords(ids: readonly number[], what = 'attester ids'): bigint[] {
  if (!Array.isArray(ids)) throw new ChainError('CHAIN_INVALID_INPUT', `${what} must be an array`)
  return ids.map((id) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new ChainError('CHAIN_INVALID_INPUT', `${what}: ${String(id)} is not an operator id`, {
        details: { id: String(id) },
      })
    }
    return BigInt(id)
  })
}
