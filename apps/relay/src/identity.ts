/// <reference types="node" />
// A relay's peer id must survive restarts (peers and browsers have it in their bootstrap lists).
// Without --seed, the seed is generated once and kept in the data directory.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseSeed, randomSeed } from '@wisp/p2p/node'
import { RelayError } from './errors.js'

const SEED_FILE = 'identity.seed'

export function resolveSeed(seed: string | undefined, dataDir: string | undefined): string | undefined {
  if (seed !== undefined) {
    parseSeed(seed)
    return seed
  }
  if (dataDir === undefined) return undefined
  const file = join(dataDir, SEED_FILE)
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim()
    try {
      parseSeed(stored)
    } catch (cause) {
      throw new RelayError('RELAY_IDENTITY', `${file} does not hold a 32-byte 0x-hex seed`, { cause })
    }
    return stored
  }
  mkdirSync(dataDir, { recursive: true })
  const fresh = randomSeed()
  // owner-only: the seed is the relay's identity key
  writeFileSync(file, `${fresh}\n`, { mode: 0o600 })
  return fresh
}
