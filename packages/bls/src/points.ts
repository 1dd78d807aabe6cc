// EVM encodings of points, and the checks every untrusted point must pass before use.
//   G1 (signatures, hashed messages): uint256[2] = [x, y]                    → 64 bytes
//   G2 (public keys):                 uint256[4] = [x.re, x.im, y.re, y.im]  → 128 bytes
// Infinity has no valid encoding here: the EVM writes it as zeros, and no honest key or
// signature is infinity, so zeros are refused.
import { bytesToWords as wordsOf, wordToHex } from '@wisp/protocol'
import { activeWasm } from './backend.js'
import type { Hex } from './bytes.js'
import { Fp, Fp2, type G1, G1Point, type G2, G2Point, P } from './curve.js'
import { BlsError } from './errors.js'

export type G1Evm = readonly [bigint, bigint]
export type G2Evm = readonly [bigint, bigint, bigint, bigint]

export const G1_BYTES = 64
export const G2_BYTES = 128

function checkCoordinates(coords: readonly bigint[], what: string): void {
  for (const c of coords) {
    if (typeof c !== 'bigint' || c < 0n || c >= P) {
      throw new BlsError('BLS_COORDINATE_OUT_OF_RANGE', `${what} coordinate is not a field element`)
    }
  }
  if (coords.every((c) => c === 0n))
    throw new BlsError('BLS_POINT_AT_INFINITY', `${what} is the point at infinity`)
}

/** Untrusted [x, y] → G1 point, checked on curve (G1's cofactor is 1, so that is the subgroup). */
export function g1FromEvm(coords: G1Evm, what = 'G1 point'): G1 {
  if (!Array.isArray(coords) || coords.length !== 2)
    throw new BlsError('BLS_INVALID_ENCODING', `${what} needs 2 words`)
  checkCoordinates(coords, what)
  const [x, y] = coords
  if (!Fp.eql(Fp.sqr(y), Fp.add(Fp.mul(Fp.sqr(x), x), 3n))) {
    throw new BlsError('BLS_POINT_NOT_ON_CURVE', `${what} is not on the curve`)
  }
  return G1Point.fromAffine({ x, y })
}

/** Untrusted [x.re, x.im, y.re, y.im] → G2 point, checked on the twist and in the r-torsion subgroup. */
export function g2FromEvm(coords: G2Evm, what = 'G2 point'): G2 {
  if (!Array.isArray(coords) || coords.length !== 4)
    throw new BlsError('BLS_INVALID_ENCODING', `${what} needs 4 words`)
  checkCoordinates(coords, what)
  const [xr, xi, yr, yi] = coords
  const point = G2Point.fromAffine({ x: Fp2.create({ c0: xr, c1: xi }), y: Fp2.create({ c0: yr, c1: yi }) })
  const wasm = activeWasm()
  if (wasm !== undefined) {
    // the same checks in the same order as noble's assertValidity, so the same codes
    if (!isG2OnCurve(point)) throw new BlsError('BLS_POINT_NOT_ON_CURVE', `${what} is not on the curve`)
    if (!wasm.g2InSubgroup(coords))
      throw new BlsError('BLS_POINT_NOT_IN_SUBGROUP', `${what} is not in the G2 subgroup`)
    return point
  }
  try {
    point.assertValidity()
  } catch (cause) {
    const onCurve = isG2OnCurve(point)
    throw new BlsError(
      onCurve ? 'BLS_POINT_NOT_IN_SUBGROUP' : 'BLS_POINT_NOT_ON_CURVE',
      onCurve ? `${what} is not in the G2 subgroup` : `${what} is not on the curve`,
      { cause },
    )
  }
  return point
}

/** The twist's b = 3/(9+u). */
let twistB: ReturnType<typeof Fp2.create> | undefined

function isG2OnCurve(point: G2): boolean {
  const { x, y } = point.toAffine()
  // Twist: y² = x³ + 3/(9+u)
  twistB ??= Fp2.div(Fp2.create({ c0: 3n, c1: 0n }), Fp2.create({ c0: 9n, c1: 1n }))
  const b2 = twistB
  return Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2))
}

export function g1ToEvm(point: G1): G1Evm {
  if (point.is0()) throw new BlsError('BLS_POINT_AT_INFINITY', 'cannot encode the point at infinity')
  const { x, y } = point.toAffine()
  return [x, y]
}

export function g2ToEvm(point: G2): G2Evm {
  if (point.is0()) throw new BlsError('BLS_POINT_AT_INFINITY', 'cannot encode the point at infinity')
  const { x, y } = point.toAffine()
  return [x.c0, x.c1, y.c0, y.c1]
}

export function bytesToWords(bytes: Uint8Array, count: number, what: string): bigint[] {
  if (!(bytes instanceof Uint8Array) || bytes.length !== count * 32) {
    throw new BlsError('BLS_INVALID_ENCODING', `${what} must be ${count * 32} bytes`, {
      details: { expected: count * 32, actual: bytes?.length },
    })
  }
  return wordsOf(bytes)
}

/** The `{"x":"0x…","y":"0x…"}` JSON string Othentic's sendTask uses for BLS performer signatures. */
export function g1ToJson(point: G1): string {
  const [x, y] = g1ToEvm(point)
  return JSON.stringify({ x: wordToHex(x), y: wordToHex(y) })
}

const WORD_HEX_RE = /^0x[0-9a-fA-F]{1,64}$/

export function g1FromJson(json: string, what = 'BLS signature'): G1 {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch (cause) {
    throw new BlsError('BLS_INVALID_ENCODING', `${what} is not JSON`, { cause })
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new BlsError('BLS_INVALID_ENCODING', `${what} must be an object {x, y}`)
  }
  const { x, y } = parsed as Record<string, unknown>
  if (typeof x !== 'string' || typeof y !== 'string' || !WORD_HEX_RE.test(x) || !WORD_HEX_RE.test(y)) {
    throw new BlsError('BLS_INVALID_ENCODING', `${what} needs x and y as 0x-hex words`)
  }
  return g1FromEvm([BigInt(x), BigInt(y)], what)
}

export type { Hex }
