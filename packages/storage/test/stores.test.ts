import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemoryStore, SlashingProtection } from '../src/index.js'
import { LevelStore } from '../src/level.js'
import { storeConformance } from './conformance.js'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'wisp-level-'))
  dirs.push(d)
  return d
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('MemoryStore', () => storeConformance(async () => new MemoryStore()))

describe('LevelStore', () => {
  storeConformance(() => LevelStore.open({ path: tempDir() }))

  it('keeps slashing protection across a restart', async () => {
    const path = tempDir()
    const hash = `0x${'cd'.repeat(32)}` as const
    const first = await LevelStore.open({ path })
    await new SlashingProtection(first).recordVote('3', hash, 'approve')
    await first.close()
    const second = await LevelStore.open({ path })
    try {
      const sp = new SlashingProtection(second)
      expect(await sp.getVote('3', hash)).toBe('approve')
      await expect(sp.recordVote('3', hash, 'reject')).rejects.toMatchObject({ code: 'SLASHING_CONFLICT' })
      await sp.recordVote('3', hash, 'approve') // same verdict again is fine
    } finally {
      await second.close()
    }
  })

  it('refuses a second opener of the same directory with a coded error', async () => {
    const path = tempDir()
    const first = await LevelStore.open({ path })
    try {
      await expect(LevelStore.open({ path })).rejects.toMatchObject({ code: 'STORAGE_BACKEND_FAILED' })
    } finally {
      await first.close()
    }
  })
})
