// Durability: a process that recorded a vote and was then killed (SIGKILL, no close) must leave
// the record behind — the property slashing protection depends on.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { SlashingProtection } from '../src/index.js'
import { LevelStore } from '../src/level.js'

const dir = mkdtempSync(join(tmpdir(), 'wisp-crash-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

it('a vote recorded before SIGKILL is still there and still refuses the opposite verdict', async () => {
  const child = fileURLToPath(new URL('./fixtures/record-and-hang.ts', import.meta.url))
  const proc = spawn(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', child, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('recorded')) resolve()
    })
    proc.once('exit', (code) => reject(new Error(`child exited early with ${code}`)))
  })
  proc.kill('SIGKILL')
  await new Promise((r) => proc.once('exit', r))

  const store = await LevelStore.open({ path: dir })
  try {
    const sp = new SlashingProtection(store)
    for (let i = 0; i < 20; i++) {
      const hash = `0x${i.toString(16).padStart(64, '0')}` as const
      expect(await sp.getVote('9', hash)).toBe(i % 2 ? 'reject' : 'approve')
      await expect(sp.recordVote('9', hash, i % 2 ? 'approve' : 'reject')).rejects.toMatchObject({
        code: 'SLASHING_CONFLICT',
      })
    }
  } finally {
    await store.close()
  }
})
