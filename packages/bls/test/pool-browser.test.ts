// The browser worker pool in real headless Chromium: a burst of 200 verifications runs in
// Workers while the page's main thread shows no long task (> 50 ms).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DOMAIN_TASKS } from '@wisp/protocol'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, Page } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sourceConditions } from '../../../vite.config.ts'
import { bytesToHex, SecretKey } from '../src/index.js'

const BURST = 200
const root = fileURLToPath(new URL('./browser/page', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'wisp-bls-page-'))
let server: PreviewServer
let browser: Browser
let page: Page

type Hex = `0x${string}`

beforeAll(async () => {
  await build({
    root,
    logLevel: 'error',
    resolve: { conditions: sourceConditions },
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  })
  server = await preview({
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1' },
  })
  browser = await launchChromium()
  page = await browser.newPage()
  const url = server.resolvedUrls!.local[0]!
  await page.goto(url)
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()))
  rmSync(outDir, { recursive: true, force: true })
})

function makeJobs(count: number) {
  const keys = Array.from({ length: 50 }, (_, i) => SecretKey.fromScalar(31337n + BigInt(i) * 65537n))
  return Array.from({ length: count }, (_, i) => {
    const key = keys[i % keys.length]!
    const digest = `0x${(i % 20).toString(16).padStart(64, '0')}` as Hex
    return {
      domain: DOMAIN_TASKS,
      digest,
      publicKey: key.publicKey.toHex(),
      signature: bytesToHex(key.sign(DOMAIN_TASKS, digest).toBytes()),
    }
  })
}

interface BurstResult {
  outcomes: Array<{ ok: boolean; valid?: boolean; error?: { code: string } }>
  startedAt: number
  endedAt: number
  longTasks: Array<{ start: number; duration: number }>
}

describe('browser worker pool in headless Chromium', () => {
  it(`verifies a burst of ${BURST} signatures with no main-thread long task`, async () => {
    const jobs = makeJobs(BURST)
    // two bad ones so the pool has to bisect in the workers
    jobs[13] = { ...jobs[13]!, digest: `0x${'ee'.repeat(32)}` }
    jobs[150] = { ...jobs[150]!, signature: jobs[151]!.signature }
    const result = (await page.evaluate(
      (j) => (window as unknown as { runBurst: (j: unknown) => Promise<unknown> }).runBurst(j),
      jobs,
    )) as BurstResult
    expect(result.outcomes).toHaveLength(BURST)
    result.outcomes.forEach((o, i) => {
      expect(o, `job ${i}`).toEqual({ ok: true, valid: i !== 13 && i !== 150 })
    })
    expect(
      result.longTasks,
      `long tasks during a ${Math.round(result.endedAt - result.startedAt)} ms burst`,
    ).toEqual([])
  })

  it('each verification worker runs the WebAssembly backend', async () => {
    const backend = await page.evaluate(() =>
      (window as unknown as { workerBackend: () => Promise<string> }).workerBackend(),
    )
    expect(backend).toBe('wasm')
  })

  it('the long-task observer does see a blocked main thread (positive control)', async () => {
    const seen = (await page.evaluate(() =>
      (window as unknown as { blockMainThread: (ms: number) => Promise<unknown> }).blockMainThread(120),
    )) as Array<{ duration: number }>
    expect(seen.some((t) => t.duration >= 100)).toBe(true)
  })
})
