// uint256 words: the 32-byte big-endian integers of the contracts' ABI (BLS points as uint256[2] and
// uint256[4], scalars, ids). The one codec of Wisp; @wisp/bls, @wisp/chain, @wisp/p2p and @wisp/core
// use it.
import type { Hex } from 'viem'

/** Bytes in one word. */
export const WORD_BYTES = 32

export const MAX_UINT256 = (1n << 256n) - 1n

/** Writes `value` as a 32-byte big-endian word into `out` at `offset` (its low 256 bits). */
export function writeWord(out: Uint8Array, offset: number, value: bigint): void {
  let v = value
  for (let i = WORD_BYTES - 1; i >= 0; i--) {
    out[offset + i] = Number(v & 0xffn)
    v >>= 8n
  }
}

/** The 32-byte big-endian word of `bytes` at `offset`. */
export function readWord(bytes: Uint8Array, offset = 0): bigint {
  let n = 0n
  for (let i = offset; i < offset + WORD_BYTES; i++) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}

/** Words → their big-endian concatenation (`abi.encode` of a static `uint256[n]`). */
export function wordsToBytes(words: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(words.length * WORD_BYTES)
  words.forEach((word, i) => {
    writeWord(out, i * WORD_BYTES, word)
  })
  return out
}

/** The words of `bytes`, whose length must be a multiple of 32 (RangeError otherwise). */
export function bytesToWords(bytes: Uint8Array): bigint[] {
  if (bytes.length % WORD_BYTES !== 0) {
    throw new RangeError(`${bytes.length} bytes are not a whole number of 32-byte words`)
  }
  return Array.from({ length: bytes.length / WORD_BYTES }, (_, i) => readWord(bytes, i * WORD_BYTES))
}

/** 0x + 64 lower-case hex digits: a word as JSON and the test vectors write it. */
export function wordToHex(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`
}
