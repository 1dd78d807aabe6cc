import { expect } from 'vitest'
import { isProtocolError, type ProtocolErrorCode } from '../src/index.js'
import vectors from './fixtures/vectors.json' with { type: 'json' }

export { vectors }

/** Runs `fn` and returns the ProtocolError it must throw, failing the test otherwise. */
export function thrown(fn: () => unknown): import('../src/index.js').ProtocolError {
  try {
    fn()
  } catch (err) {
    if (isProtocolError(err)) return err
    throw new Error(`expected a ProtocolError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a throw')
}

export function expectCode(fn: () => unknown, code: ProtocolErrorCode): void {
  expect(thrown(fn).code).toBe(code)
}

/** Deterministic PRNG (mulberry32) so fuzz runs are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
