import { describe, expect, it } from 'vitest'
import {
  bytesToWords,
  clearTimer,
  MAX_UINT256,
  readWord,
  setTimer,
  wordsToBytes,
  wordToHex,
  writeWord,
} from '../src/index.js'

describe('uint256 words', () => {
  it('round-trips big-endian words at any offset', () => {
    const values = [0n, 1n, 0x0102n, MAX_UINT256, 2n ** 255n + 7n]
    const bytes = wordsToBytes(values)
    expect(bytes.length).toBe(values.length * 32)
    expect(bytesToWords(bytes)).toEqual(values)
    expect(bytes.slice(32, 64)).toEqual(Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 1 : 0)))
    expect(readWord(bytes, 64)).toBe(0x0102n)
    const out = new Uint8Array(40)
    writeWord(out, 8, 0xabcdn)
    expect(readWord(out, 8)).toBe(0xabcdn)
    expect(out[38]).toBe(0xab)
    expect(out.slice(0, 8)).toEqual(new Uint8Array(8))
  })

  it('matches viem-style hex and refuses a partial word', () => {
    expect(wordToHex(1n)).toBe(`0x${'0'.repeat(63)}1`)
    expect(wordToHex(MAX_UINT256)).toBe(`0x${'f'.repeat(64)}`)
    expect(() => bytesToWords(new Uint8Array(33))).toThrow(RangeError)
    expect(bytesToWords(new Uint8Array(0))).toEqual([])
  })
})

describe('timers', () => {
  it('fires and cancels through the runtime global timers', async () => {
    const fired: string[] = []
    const cancelled = setTimer(() => fired.push('cancelled'), 5)
    clearTimer(cancelled)
    await new Promise<void>((resolve) => setTimer(resolve, 20))
    expect(fired).toEqual([])
  })
})
