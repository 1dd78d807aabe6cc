// `wisp relay` as a real process keeps its peer id in --p2p.datadir across restarts, and takes
// Othentic's OTHENTIC_BOOTSTRAP_SEED when it is set.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { peerIdFromSeed, SEED_FILE } from '@wisp/p2p/node'
import { afterAll, describe, expect, it } from 'vitest'

const wispBin = fileURLToPath(new URL('../bin/wisp.mjs', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'wisp-relay-identity-'))
const children = new Set<ChildProcess>()
afterAll(() => {
  for (const child of children) child.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

const env = (extra: Record<string, string> = {}) => {
  const base: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...extra }
  if (!('OTHENTIC_BOOTSTRAP_SEED' in extra)) delete base.OTHENTIC_BOOTSTRAP_SEED
  return base
}

/** Starts `wisp relay`, reads the peer id it prints, stops it with SIGTERM; the exit code too. */
async function relayPeerId(dataDir: string, extra: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    [wispBin, 'relay', '--p2p.listen', '/ip4/127.0.0.1/tcp/0/ws', '--p2p.datadir', dataDir],
    { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const peerId = await new Promise<string | undefined>((resolve) => {
    const poll = setInterval(() => {
      const m = /^relay (\S+)\n/.exec(stdout)
      if (m !== null || child.exitCode !== null) {
        clearInterval(poll)
        resolve(m?.[1])
      }
    }, 50)
  })
  if (peerId !== undefined) child.kill('SIGTERM')
  const code = await exited
  children.delete(child)
  return { peerId, code, stderr }
}

describe('wisp relay keeps its peer identity', () => {
  it('prints the same peer id when restarted with the same --p2p.datadir, another with another', async () => {
    const dataDir = join(root, 'relay')
    const first = await relayPeerId(dataDir)
    expect(first.peerId).toMatch(/^12D3KooW/)
    expect(first.code).toBe(0)
    const seed = readFileSync(join(dataDir, SEED_FILE), 'utf8').trim()
    expect(await peerIdFromSeed(seed)).toBe(first.peerId)
    const second = await relayPeerId(dataDir)
    expect(second.peerId).toBe(first.peerId)
    const other = await relayPeerId(join(root, 'other'))
    expect(other.peerId).not.toBe(first.peerId)
  }, 120_000)

  it("takes OTHENTIC_BOOTSTRAP_SEED (Othentic's bare hex) over the data dir's seed", async () => {
    const seed = '97a64de0fb18532d4ce56fb35b730aedec993032b533f783b04c9175d465d9bf'
    const r = await relayPeerId(join(root, 'relay'), { OTHENTIC_BOOTSTRAP_SEED: seed })
    expect(r.peerId).toBe(await peerIdFromSeed(`0x${seed}`))
  }, 60_000)

  it('a malformed OTHENTIC_BOOTSTRAP_SEED is one coded line and exit code 2', async () => {
    const r = await relayPeerId(join(root, 'bad'), { OTHENTIC_BOOTSTRAP_SEED: '0x1234' })
    expect(r.peerId).toBeUndefined()
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'wisp: NODE_BAD_FLAGS: OTHENTIC_BOOTSTRAP_SEED must be a 32-byte Ed25519 seed (hex)\n',
    )
  }, 60_000)
})
