// One behaviour suite every KeyValueStore backend must pass.
import { expect, it } from 'vitest'
import { type KeyValueStore, SlashingProtection, StorageError } from '../src/index.js'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b))

export function storeConformance(open: () => Promise<KeyValueStore>): void {
  it('gets, puts, deletes, and returns copies', async () => {
    const store = await open()
    try {
      expect(await store.get('missing')).toBeUndefined()
      const value = bytes('one')
      await store.put('a', value)
      value[0] = 0
      expect(text(await store.get('a'))).toBe('one')
      await store.delete('a')
      expect(await store.get('a')).toBeUndefined()
      await store.delete('never-there')
    } finally {
      await store.close()
    }
  })

  it('scans by prefix in key order, reversed and limited', async () => {
    const store = await open()
    try {
      await store.batch([
        { type: 'put', key: 'p/2', value: bytes('2') },
        { type: 'put', key: 'p/1', value: bytes('1') },
        { type: 'put', key: 'p/3', value: bytes('3') },
        { type: 'put', key: 'q/1', value: bytes('x') },
        { type: 'put', key: 'p', value: bytes('bare') },
      ])
      const keys = async (o: Parameters<KeyValueStore['scan']>[0]) => {
        const out: string[] = []
        for await (const [k] of store.scan(o)) out.push(k)
        return out
      }
      expect(await keys({ prefix: 'p/' })).toEqual(['p/1', 'p/2', 'p/3'])
      expect(await keys({ prefix: 'p/', reverse: true, limit: 2 })).toEqual(['p/3', 'p/2'])
      expect(await keys({ prefix: 'q/' })).toEqual(['q/1'])
      expect((await keys({})).length).toBe(5)
    } finally {
      await store.close()
    }
  })

  it('applies batches atomically, deletes included', async () => {
    const store = await open()
    try {
      await store.put('k1', bytes('old'))
      await store.batch([
        { type: 'del', key: 'k1' },
        { type: 'put', key: 'k2', value: bytes('new') },
      ])
      expect(await store.get('k1')).toBeUndefined()
      expect(text(await store.get('k2'))).toBe('new')
    } finally {
      await store.close()
    }
  })

  it('update is an atomic read-modify-write: 50 concurrent increments all land', async () => {
    const store = await open()
    try {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          store.update('counter', (cur) => bytes(String(Number(text(cur) ?? '0') + 1))),
        ),
      )
      expect(text(await store.get('counter'))).toBe('50')
      // returning undefined leaves the value; a throw aborts and leaves it too
      await store.update('counter', () => undefined)
      await expect(
        store.update('counter', () => {
          throw new StorageError('SLASHING_CONFLICT', 'no')
        }),
      ).rejects.toMatchObject({ code: 'SLASHING_CONFLICT' })
      expect(text(await store.get('counter'))).toBe('50')
    } finally {
      await store.close()
    }
  })

  it('refuses use after close with STORAGE_CLOSED', async () => {
    const store = await open()
    await store.close()
    await expect(store.get('a')).rejects.toMatchObject({ code: 'STORAGE_CLOSED' })
  })

  it('slashing protection: concurrent opposite votes, exactly one wins', async () => {
    const store = await open()
    try {
      const sp = new SlashingProtection(store)
      const hash = `0x${'ab'.repeat(32)}` as const
      const results = await Promise.allSettled([
        sp.recordVote('7', hash, 'approve'),
        sp.recordVote('7', hash, 'reject'),
        sp.recordVote('7', hash, 'approve'),
        sp.recordVote('7', hash, 'reject'),
      ])
      const won = await sp.getVote('7', hash)
      expect(won === 'approve' || won === 'reject').toBe(true)
      results.forEach((r, i) => {
        const verdict = i % 2 === 0 ? 'approve' : 'reject'
        if (verdict === won) expect(r.status).toBe('fulfilled')
        else expect(r.status === 'rejected' && (r.reason as StorageError).code).toBe('SLASHING_CONFLICT')
      })
    } finally {
      await store.close()
    }
  })
}
