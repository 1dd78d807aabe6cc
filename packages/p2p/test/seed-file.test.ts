// A role's identity kept in its data directory: the same peer id across restarts, a real libp2p
// peer started from the stored seed, a corrupt file refused with a code naming it.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { peerIdFromSeed } from '../src/index.js'
import { createNodePeer, loadOrCreateSeed, SEED_FILE, seedFromHex } from '../src/node/index.js'

const root = mkdtempSync(join(tmpdir(), 'wisp-seed-file-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('loadOrCreateSeed', () => {
  it('creates the seed once (mode 0600) and gives the same peer id on every later call', async () => {
    const dataDir = join(root, 'attester', 'nested')
    const first = loadOrCreateSeed(dataDir)
    const file = join(dataDir, SEED_FILE)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(first)
    const second = loadOrCreateSeed(dataDir)
    expect(second).toBe(first)
    const peer = await createNodePeer({ seed: second })
    try {
      expect(peer.peerId).toBe(await peerIdFromSeed(first))
    } finally {
      await peer.stop()
    }
    // another data dir is another identity
    expect(await peerIdFromSeed(loadOrCreateSeed(join(root, 'other')))).not.toBe(await peerIdFromSeed(first))
  })

  it('reads a seed an operator placed there, with or without 0x', () => {
    const dataDir = join(root, 'placed')
    loadOrCreateSeed(dataDir)
    writeFileSync(join(dataDir, SEED_FILE), `${'ab'.repeat(32)}\n`)
    expect(loadOrCreateSeed(dataDir)).toBe(`0x${'ab'.repeat(32)}`)
  })

  it('refuses a corrupt file with P2P_INVALID_SEED naming it, and leaves it alone', () => {
    const dataDir = join(root, 'corrupt')
    loadOrCreateSeed(dataDir)
    const file = join(dataDir, SEED_FILE)
    writeFileSync(file, '0x1234\n')
    expect(() => loadOrCreateSeed(dataDir)).toThrow(
      expect.objectContaining({ code: 'P2P_INVALID_SEED', message: expect.stringContaining(file) }),
    )
    expect(readFileSync(file, 'utf8')).toBe('0x1234\n')
  })

  it('a data dir that cannot be created is P2P_INVALID_OPTIONS naming the file', () => {
    const blocker = join(root, 'a-file')
    writeFileSync(blocker, 'not a directory')
    expect(() => loadOrCreateSeed(join(blocker, 'dir'))).toThrow(
      expect.objectContaining({ code: 'P2P_INVALID_OPTIONS', message: expect.stringContaining(blocker) }),
    )
  })
})

describe('seedFromHex', () => {
  it("takes Othentic's bare hex and 0x-hex alike, and names the source when it is wrong", async () => {
    const bare = '97a64de0fb18532d4ce56fb35b730aedec993032b533f783b04c9175d465d9bf'
    expect(seedFromHex(bare, 'X')).toBe(`0x${bare}`)
    expect(seedFromHex(`0x${bare.toUpperCase()}`, 'X')).toBe(`0x${bare}`)
    expect(await peerIdFromSeed(seedFromHex(bare, 'X'))).toMatch(/^12D3KooW/)
    expect(() => seedFromHex('abcd', 'OTHENTIC_BOOTSTRAP_SEED')).toThrow(
      expect.objectContaining({
        code: 'P2P_INVALID_SEED',
        message: 'OTHENTIC_BOOTSTRAP_SEED must be a 32-byte Ed25519 seed (hex)',
      }),
    )
  })
})
