/// <reference types="node" />
// A peer id must survive restarts (others have it in their bootstrap lists), so a role without a
// given seed keeps a generated one in its data directory.
import { randomBytes } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToHex } from 'viem'
import { P2PError } from '../errors.js'
import { parseSeed, randomSeed } from '../identity.js'

/** The seed file's name inside a data directory. */
export const SEED_FILE = 'identity.seed'

/**
 * A 32-byte Ed25519 seed as 0x-hex from hex with or without `0x` (Othentic's
 * `OTHENTIC_BOOTSTRAP_SEED` has none); `source` names the value in the error.
 */
export function seedFromHex(value: string, source: string): string {
  const hex = value.trim()
  const prefixed = hex.startsWith('0x') || hex.startsWith('0X') ? `0x${hex.slice(2)}` : `0x${hex}`
  try {
    return bytesToHex(parseSeed(prefixed.toLowerCase()))
  } catch (cause) {
    throw new P2PError('P2P_INVALID_SEED', `${source} must be a 32-byte Ed25519 seed (hex)`, { cause })
  }
}

/**
 * The seed kept in `<dataDir>/identity.seed`, created (mode 0600) when absent. Created atomically
 * and exclusively: two processes starting at once on one data dir end with the same seed.
 */
export function loadOrCreateSeed(dataDir: string): string {
  const file = join(dataDir, SEED_FILE)
  const stored = readSeedFile(file)
  if (stored !== undefined) return stored
  try {
    mkdirSync(dataDir, { recursive: true })
    const temp = `${file}.${process.pid}.${bytesToHex(randomBytes(4)).slice(2)}.tmp`
    // owner-only: the seed is the peer's identity key
    writeFileSync(temp, `${randomSeed()}\n`, { mode: 0o600, flush: true })
    try {
      linkSync(temp, file) // fails if another process created it first: theirs is kept
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      unlinkSync(temp)
    }
  } catch (cause) {
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      `cannot write ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      { cause },
    )
  }
  const created = readSeedFile(file)
  if (created === undefined)
    throw new P2PError('P2P_INVALID_OPTIONS', `${file} vanished after it was written`)
  return created
}

function readSeedFile(file: string): string | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new P2PError(
      'P2P_INVALID_OPTIONS',
      `cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      { cause },
    )
  }
  try {
    return seedFromHex(text, file)
  } catch (cause) {
    // never replaced silently: a new seed would be a new peer id for everyone who bootstraps from it
    throw new P2PError(
      'P2P_INVALID_SEED',
      `${file} does not hold a 32-byte Ed25519 seed (hex); restore it, or delete it for a new peer id`,
      { cause },
    )
  }
}
