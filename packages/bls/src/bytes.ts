import { BlsError } from './errors.js'

export type Hex = `0x${string}`
/** Bytes given either raw or as 0x-hex. */
export type BytesLike = Uint8Array | Hex

const HEX_RE = /^0x([0-9a-fA-F]{2})*$/

export function toBytes(value: BytesLike, expectedLength?: number, what = 'value'): Uint8Array {
  let bytes: Uint8Array
  if (typeof value === 'string') {
    if (!HEX_RE.test(value))
      throw new BlsError('BLS_INVALID_ENCODING', `${what} is not 0x-prefixed even-length hex`)
    bytes = new Uint8Array((value.length - 2) / 2)
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(value.slice(2 + i * 2, 4 + i * 2), 16)
  } else if (value instanceof Uint8Array) {
    bytes = value
  } else {
    throw new BlsError('BLS_INVALID_ENCODING', `${what} must be a Uint8Array or 0x-hex`)
  }
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new BlsError(
      'BLS_INVALID_ENCODING',
      `${what} must be ${expectedLength} bytes, got ${bytes.length}`,
      {
        details: { expected: expectedLength, actual: bytes.length },
      },
    )
  }
  return bytes
}

export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x'
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out as Hex
}

/** Big-endian unsigned integer of any length. */
export function bytesToBigInt(bytes: Uint8Array, offset = 0, length = bytes.length - offset): bigint {
  let n = 0n
  for (let i = offset; i < offset + length; i++) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
