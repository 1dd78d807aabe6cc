import { describe, expect, it } from 'vitest'
import { MemoryStore, SlashingProtection } from '../src/index.js'

const h = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as const

describe('SlashingProtection interchange', () => {
  it('exports and imports into a fresh store, with the same protection', async () => {
    const a = new SlashingProtection(new MemoryStore(), { now: () => 1000 })
    await a.recordVote('0xAbC', h(1), 'approve')
    await a.recordVote('0xabc', h(2), 'reject')
    const file = JSON.parse(JSON.stringify(await a.export()))
    expect(file).toEqual({
      kind: 'wisp-slashing-protection',
      version: 1,
      records: [
        { operator: '0xabc', taskHash: h(1), verdict: 'approve', recordedAt: 1000 },
        { operator: '0xabc', taskHash: h(2), verdict: 'reject', recordedAt: 1000 },
      ],
    })
    const b = new SlashingProtection(new MemoryStore())
    expect(await b.import(file)).toEqual({ imported: 2, merged: 0 })
    await expect(b.recordVote('0xABC', h(1), 'reject')).rejects.toMatchObject({ code: 'SLASHING_CONFLICT' })
  })

  it('an import that conflicts makes the task unsignable for both verdicts', async () => {
    const sp = new SlashingProtection(new MemoryStore())
    await sp.recordVote('1', h(5), 'approve')
    const result = await sp.import({
      kind: 'wisp-slashing-protection',
      version: 1,
      records: [{ operator: '1', taskHash: h(5), verdict: 'reject', recordedAt: 5 }],
    })
    expect(result).toEqual({ imported: 0, merged: 1 })
    expect(await sp.getVote('1', h(5))).toBe('both')
    await expect(sp.recordVote('1', h(5), 'approve')).rejects.toMatchObject({ code: 'SLASHING_CONFLICT' })
    await expect(sp.recordVote('1', h(5), 'reject')).rejects.toMatchObject({ code: 'SLASHING_CONFLICT' })
  })

  it('refuses malformed files before writing anything', async () => {
    const store = new MemoryStore()
    const sp = new SlashingProtection(store)
    await expect(sp.import(null)).rejects.toMatchObject({ code: 'STORAGE_UNSUPPORTED_FORMAT' })
    await expect(
      sp.import({ kind: 'wisp-slashing-protection', version: 2, records: [] }),
    ).rejects.toMatchObject({
      code: 'STORAGE_UNSUPPORTED_FORMAT',
    })
    await expect(
      sp.import({
        kind: 'wisp-slashing-protection',
        version: 1,
        records: [
          { operator: '1', taskHash: h(1), verdict: 'approve', recordedAt: 1 },
          { operator: '1', taskHash: '0x12', verdict: 'approve', recordedAt: 1 },
        ],
      }),
    ).rejects.toMatchObject({ code: 'STORAGE_CORRUPT_RECORD' })
    expect((await sp.export()).records).toEqual([])
  })

  it('refuses a malformed task hash and a corrupt stored record with coded errors', async () => {
    const store = new MemoryStore()
    const sp = new SlashingProtection(store)
    await expect(sp.recordVote('1', '0x1234' as `0x${string}`, 'approve')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT_RECORD',
    })
    await store.put(`slashing/1/${h(9)}`, new TextEncoder().encode('{not json'))
    await expect(sp.recordVote('1', h(9), 'approve')).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT_RECORD',
    })
    // the corrupt record is left as it was, for a human to look at
    expect(new TextDecoder().decode(await store.get(`slashing/1/${h(9)}`))).toBe('{not json')
  })
})
