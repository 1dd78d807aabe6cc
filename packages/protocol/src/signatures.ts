import type { Hex } from 'viem'
import { type Check, fail, pass } from './check.js'
import { ProtocolError } from './codes.js'
import { wordToHex } from './words.js'

/** BN254 base field modulus p: G1 coordinates are integers in [0, p). */
export const BN254_FIELD_MODULUS =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n

/** secp256k1 group order n: OpenZeppelin's ECDSA.recover refuses s > n/2 (EIP-2 malleability). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const SECP256K1_HALF_N = SECP256K1_N / 2n

/** r ‖ s ‖ v. */
export const ECDSA_SIGNATURE_BYTES = 65

/** `{"x":"0x" + 64 hex,"y":…}` is 145 characters; leave room for whitespace, refuse anything huge. */
export const MAX_BLS_SIGNATURE_JSON_LENGTH = 512

/** A BN254 G1 point as the contract takes it (`uint256[2]`): a BLS signature. */
export interface G1Point {
  x: bigint
  y: bigint
}

/** How the performer signed the taskHash (docs/protocol.md §3, step 3). */
export type PerformerSignature = { type: 'ecdsa'; signature: Hex } | { type: 'bls'; signature: G1Point }
export type SignatureType = PerformerSignature['type']

const ECDSA_RE = /^0x[0-9a-fA-F]{130}$/
const HEX_FIELD_RE = /^0x[0-9a-fA-F]{1,64}$/
// 78 digits cover every value below p (77 digits) without letting BigInt parse megabytes.
const DECIMAL_FIELD_RE = /^[0-9]{1,78}$/

/**
 * A 65-byte ECDSA signature over the raw taskHash. v may be 27/28 or 0/1 (what some signers
 * emit); it is normalised to 27/28 because OpenZeppelin's `ECDSA.recover` on the contract only
 * accepts 27/28. High-s and zero r/s are refused: the contract would revert on them.
 * Returned lower-case.
 */
export function checkEcdsaSignature(value: unknown): Check<Hex> {
  if (typeof value !== 'string') return fail('not a string')
  if (!ECDSA_RE.test(value)) return fail(`not 0x + ${ECDSA_SIGNATURE_BYTES * 2} hex digits`)
  const r = BigInt(value.slice(0, 66))
  const s = BigInt(`0x${value.slice(66, 130)}`)
  const v = Number.parseInt(value.slice(130, 132), 16)
  if (r === 0n || r >= SECP256K1_N) return fail('r out of range')
  if (s === 0n || s > SECP256K1_HALF_N) return fail('s out of range (zero or high-s)')
  let normalisedV: number
  if (v === 27 || v === 28) normalisedV = v
  else if (v === 0 || v === 1) normalisedV = v + 27
  else return fail('v is not 27, 28, 0 or 1')
  return pass(`${value.slice(0, 130).toLowerCase()}${normalisedV.toString(16)}` as Hex)
}

/**
 * One G1 coordinate: a 0x-hex string (up to 64 digits) or a decimal string, below p.
 * Decimal is accepted because mcl-based peers may print field elements in base 10.
 * Only the range is checked here; on-curve checks belong to the BLS package.
 */
export function checkFieldElement(value: unknown): Check<bigint> {
  if (typeof value !== 'string') return fail('not a string')
  if (!HEX_FIELD_RE.test(value) && !DECIMAL_FIELD_RE.test(value)) return fail('not 0x-hex or decimal')
  const n = BigInt(value)
  if (n >= BN254_FIELD_MODULUS) return fail('not below the BN254 field modulus')
  return pass(n)
}

/** `{x, y}` with both coordinates as {@link checkFieldElement} strings. */
export function checkG1Point(value: unknown): Check<G1Point> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not an object {x, y}')
  const keys = Object.keys(value)
  if (keys.length !== 2 || !keys.includes('x') || !keys.includes('y'))
    return fail('keys must be exactly x and y')
  const { x, y } = value as { x: unknown; y: unknown }
  const cx = checkFieldElement(x)
  if (!cx.ok) return fail(`x: ${cx.reason}`)
  const cy = checkFieldElement(y)
  if (!cy.ok) return fail(`y: ${cy.reason}`)
  return pass({ x: cx.value, y: cy.value })
}

/** The JSON string form `{"x":"0x…","y":"0x…"}` used by sendTask and the Task message. */
export function checkBlsSignatureJson(value: unknown): Check<G1Point> {
  if (typeof value !== 'string') return fail('not a string')
  if (value.length > MAX_BLS_SIGNATURE_JSON_LENGTH) return fail('BLS signature JSON too long')
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return fail('not JSON')
  }
  return checkG1Point(parsed)
}

/**
 * A performer signature string. With `type` given it must be that form; without, a string
 * starting with `{` is the BLS JSON form and anything else must be ECDSA (the wire Task has no
 * signature-type field).
 */
export function checkPerformerSignature(value: unknown, type?: SignatureType): Check<PerformerSignature> {
  if (typeof value !== 'string') return fail('not a string')
  const kind = type ?? (value.trimStart().startsWith('{') ? 'bls' : 'ecdsa')
  if (kind === 'bls') {
    const c = checkBlsSignatureJson(value)
    return c.ok ? pass({ type: 'bls', signature: c.value }) : c
  }
  const c = checkEcdsaSignature(value)
  return c.ok ? pass({ type: 'ecdsa', signature: c.value }) : c
}

/** 0x + 64 lower-case hex digits: the form of the vectors and of `uint256` in JSON. */
export function formatFieldElement(value: bigint): Hex {
  return wordToHex(value)
}

export function formatBlsSignatureJson(point: G1Point): string {
  return JSON.stringify({ x: formatFieldElement(point.x), y: formatFieldElement(point.y) })
}

/** The string form of a performer signature, as it travels in sendTask and the Task message. */
export function formatPerformerSignature(signature: PerformerSignature): string {
  return signature.type === 'ecdsa' ? signature.signature : formatBlsSignatureJson(signature.signature)
}

function orThrow<T>(check: Check<T>, what: string): T {
  if (check.ok) return check.value
  throw new ProtocolError('INVALID_VALUE', `invalid ${what}: ${check.reason}`, {
    details: { kind: what, reason: check.reason },
  })
}

/** Throwing form of {@link checkEcdsaSignature} (code `INVALID_VALUE`). */
export function parseEcdsaSignature(value: unknown): Hex {
  return orThrow(checkEcdsaSignature(value), 'ECDSA signature')
}

/** Throwing form of {@link checkBlsSignatureJson} (code `INVALID_VALUE`). */
export function parseBlsSignatureJson(value: unknown): G1Point {
  return orThrow(checkBlsSignatureJson(value), 'BLS signature')
}

/** Throwing form of {@link checkPerformerSignature} (code `INVALID_VALUE`). */
export function parsePerformerSignature(value: unknown, type?: SignatureType): PerformerSignature {
  return orThrow(checkPerformerSignature(value, type), 'performer signature')
}
