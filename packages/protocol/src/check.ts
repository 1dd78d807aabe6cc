import { type Address, getAddress, type Hex } from 'viem'

/**
 * A value check that does not throw: each layer (wire, RPC, validation service) turns a failed
 * check into its own coded error, so the same rule gives `WIRE_INVALID_FIELD` on gossip and
 * `RPC_INVALID_PARAMS` on JSON-RPC.
 */
export type Check<T> = { ok: true; value: T } | { ok: false; reason: string }

export const pass = <T>(value: T): Check<T> => ({ ok: true, value })
export const fail = <T = never>(reason: string): Check<T> => ({ ok: false, reason })

/** uint16 is the on-chain type of task definition ids. */
export const MAX_UINT16 = 0xffff
export const MAX_UINT32 = 0xffff_ffff

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const HEX_BODY_RE = /^[0-9a-fA-F]*$/
const BYTES32_RE = /^0x[0-9a-fA-F]{64}$/

/**
 * 0x + 40 hex digits, any case. The checksum is not enforced (a wrong-case address still names
 * the same account and the contract compares 20 bytes); the result is checksummed so callers
 * can compare addresses with `===`.
 */
export function checkAddress(value: unknown): Check<Address> {
  if (typeof value !== 'string') return fail('not a string')
  if (!ADDRESS_RE.test(value)) return fail('not 0x + 40 hex digits')
  return pass(getAddress(value.toLowerCase()))
}

/** 0x-prefixed hex of whole bytes, at most `maxBytes` of them; returned lower-case. */
export function checkHexBytes(value: unknown, maxBytes: number): Check<Hex> {
  if (typeof value !== 'string') return fail('not a string')
  if (!value.startsWith('0x')) return fail('not 0x-prefixed hex')
  const digits = value.length - 2
  // Length first, so an oversized string is refused before the regex reads it.
  if (digits > maxBytes * 2) return fail(`longer than ${maxBytes} bytes`)
  if (digits % 2 !== 0) return fail('odd number of hex digits')
  if (!HEX_BODY_RE.test(value.slice(2))) return fail('not hex')
  return pass(value.toLowerCase() as Hex)
}

/** A 32-byte hash such as a transaction hash; returned lower-case. */
export function checkBytes32(value: unknown): Check<Hex> {
  if (typeof value !== 'string') return fail('not a string')
  if (!BYTES32_RE.test(value)) return fail('not 0x + 64 hex digits')
  return pass(value.toLowerCase() as Hex)
}

export function checkUint16(value: unknown): Check<number> {
  if (typeof value !== 'number' || !Number.isInteger(value)) return fail('not an integer')
  if (value < 0 || value > MAX_UINT16) return fail('out of uint16 range')
  return pass(value)
}

/** A string of at most `maxLength` UTF-16 code units. */
export function checkBoundedString(value: unknown, maxLength: number): Check<string> {
  if (typeof value !== 'string') return fail('not a string')
  if (value.length > maxLength) return fail(`longer than ${maxLength} characters`)
  return pass(value)
}

/** A 1-based operator index, as the AttestationCenter numbers operators; `max` is the carrier's range. */
export function checkOperatorId(value: unknown, max: number = Number.MAX_SAFE_INTEGER): Check<number> {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return fail('not an integer')
  if (value < 1) return fail('operator ids start at 1')
  if (value > max) return fail(`above ${max}`)
  return pass(value)
}

export function checkBoolean(value: unknown): Check<boolean> {
  return typeof value === 'boolean' ? pass(value) : fail('not a boolean')
}
