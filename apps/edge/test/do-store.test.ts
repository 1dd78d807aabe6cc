// DurableObjectStore (the KeyValueStore under slashing protection) inside real workerd, on a
// SQLite-backed Durable Object, including a restart of workerd on the same storage.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RunningWorker, startWorker } from './support/workerd.js'

let dir: string
let script: string
let worker: RunningWorker | undefined

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wisp-edge-store-'))
  script = join(dir, 'store-worker.js')
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'store-worker.ts')],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@wisp/source', 'workerd', 'worker', 'browser'],
    logLevel: 'warning',
  })
})

afterAll(async () => {
  await worker?.stop()
  rmSync(dir, { recursive: true, force: true })
})

const boot = () =>
  startWorker({ script, bindings: {}, durableObjects: { STORE: 'StoreObject' }, persistDir: join(dir, 'do') })

it('implements the KeyValueStore contract: copies, batches, ordered and paged scans, atomic updates', async () => {
  worker = await boot()
  const r = await worker.json<Record<string, unknown>>('/conformance')
  expect(r).toMatchObject({
    get: '1',
    getReturnsCopy: '1',
    batch: ['y', null, 'z'],
    scan: {
      count: 600,
      sorted: true,
      reverseFirst: 'p/0599',
      reverseCount: 600,
      limited: ['p/0000', 'p/0001', 'p/0002'],
      limitedReverse: [300, 'p/0300'],
      otherPrefix: ['b/1', 'b/3'],
    },
    counter: '100',
    updateNoop: '100',
    updateThrow: 'abort',
    afterThrow: '100',
  })
  expect(r.missing).toBeUndefined()
  expect(r.deleted).toBeUndefined()
  // one verdict won, every call for it succeeded, every call for the other was refused
  const race = r.race as { winner: string; fulfilled: number; conflicts: number }
  expect(['approve', 'reject']).toContain(race.winner)
  expect(race).toMatchObject({ fulfilled: 10, conflicts: 10 })
})

it('keeps a recorded vote across a restart of workerd, and refuses the opposite verdict after it', async () => {
  await worker?.stop()
  worker = await boot()
  expect(await worker.json('/vote?verdict=approve')).toEqual({ ok: true })
  await worker.stop()
  worker = await boot()
  expect(await worker.json('/get-vote')).toEqual({ vote: 'approve' })
  const refused = await worker.fetch('/vote?verdict=reject')
  expect(refused.status).toBe(500)
  expect(await refused.json()).toMatchObject({ code: 'SLASHING_CONFLICT' })
})
