// Evidence for the transport decision: libp2p's edge peer in real workerd, dialling a real relay
// over WebSocket, with and without the two shims of src/shims.ts. Without them it cannot work;
// with them it connects (the edge attester suite then runs the whole protocol over it).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelay, type WispNetwork } from '@wisp/p2p/node'
import * as esbuild from 'esbuild'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RunningWorker, startWorker } from './support/workerd.js'

let dir: string
let relay: WispNetwork
let worker: RunningWorker

interface Report {
  started: boolean
  hasBroadcastChannel: boolean
  bufferedAmountType: string
  error?: { name: string; message: string }
  dial?: {
    ok: boolean
    ms: number
    remotePeer?: string
    error?: { name: string; message: string; cause?: string }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wisp-edge-shims-'))
  const script = join(dir, 'probe.js')
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, 'fixtures', 'shim-probe-worker.ts')],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@wisp/source', 'workerd', 'worker', 'browser'],
    logLevel: 'error',
  })
  relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: 'wisp-shim-probe' })
  worker = await startWorker({ script, bindings: {}, durableObjects: {} })
})

afterAll(async () => {
  await worker?.stop()
  await relay?.stop()
  rmSync(dir, { recursive: true, force: true })
})

// One isolate serves every request and a shim, once installed, stays: the cases run in order
// from none to all.
const probe = (shims: string) =>
  worker.json<Report>(`/?shims=${shims}&relay=${encodeURIComponent(relay.getMultiaddrs()[0]!)}`)

it('without shims: workerd has no BroadcastChannel, and libp2p cannot even start', async () => {
  const r = await probe('none')
  expect(r.hasBroadcastChannel).toBe(false)
  expect(r.started).toBe(false)
  expect(r.error).toMatchObject({ name: 'ReferenceError', message: 'BroadcastChannel is not defined' })
})

it('with BroadcastChannel only: the WebSocket opens but the Noise handshake never completes (no bufferedAmount)', async () => {
  const r = await probe('broadcast')
  expect(r.bufferedAmountType).toBe('undefined')
  expect(r.started).toBe(true)
  expect(r.dial?.ok).toBe(false)
  expect(JSON.stringify(r.dial?.error)).toMatch(/abort/i)
})

it('with both shims: the edge peer connects to the relay', async () => {
  const r = await probe('all')
  expect(r.bufferedAmountType).toBe('number')
  expect(r.dial).toMatchObject({ ok: true, remotePeer: relay.peerId })
})
