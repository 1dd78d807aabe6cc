import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage, isProtocolError, safeDecodeMessage, WIRE_KINDS } from '../src/index.js'
import { prng } from './helpers.js'
import { SAMPLES } from './wire-fixtures.js'

/** Per kind: random buffers plus mutations of a valid encoding (6 kinds × 1000 = 6000 inputs). */
const RANDOM_INPUTS = 400
const MUTATED_INPUTS = 600

function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256)
  return out
}

/** Flip, overwrite, insert, delete or truncate: the damage a bad peer or a bad link does. */
function mutate(rand: () => number, valid: Uint8Array): Uint8Array {
  const bytes = [...valid]
  const edits = 1 + Math.floor(rand() * 4)
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (bytes.length + 1))
    switch (Math.floor(rand() * 5)) {
      case 0:
        if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << Math.floor(rand() * 8))
        break
      case 1:
        if (at < bytes.length) bytes[at] = Math.floor(rand() * 256)
        break
      case 2:
        bytes.splice(at, 0, Math.floor(rand() * 256))
        break
      case 3:
        bytes.splice(at, 1)
        break
      default:
        bytes.length = at
    }
  }
  return new Uint8Array(bytes)
}

function assertOnlyWireErrors(kind: (typeof WIRE_KINDS)[number], input: Uint8Array): boolean {
  try {
    decodeMessage(kind, input)
    return true
  } catch (err) {
    if (!isProtocolError(err) || !err.code.startsWith('WIRE_')) {
      throw new Error(
        `non-wire error for ${kind} input ${Buffer.from(input).toString('hex')}: ${String(err)}`,
      )
    }
    return false
  }
}

describe('fuzzing the decoder with deterministic pseudo-random input', () => {
  for (const [k, kind] of WIRE_KINDS.entries()) {
    it(`${kind}: garbage and mutations only ever produce WIRE_* ProtocolErrors`, () => {
      const rand = prng(0x5eed + k)
      const valid = encodeMessage(kind, SAMPLES[kind])
      let accepted = 0
      for (let i = 0; i < RANDOM_INPUTS; i++) {
        const input = randomBytes(rand, Math.floor(rand() * 300))
        if (assertOnlyWireErrors(kind, input)) accepted++
        expect(safeDecodeMessage(kind, input)).toHaveProperty('ok')
      }
      for (let i = 0; i < MUTATED_INPUTS; i++) {
        const input = mutate(rand, valid)
        if (assertOnlyWireErrors(kind, input)) {
          accepted++
          // Whatever was accepted must re-encode: decode never yields a value encode refuses.
          const value = decodeMessage(kind, input)
          expect(decodeMessage(kind, encodeMessage(kind, value))).toEqual(value)
        }
      }
      expect(accepted).toBeLessThan(RANDOM_INPUTS + MUTATED_INPUTS)
    })
  }
})
