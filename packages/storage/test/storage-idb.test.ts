// IdbStore in real headless Chromium: the store itself, persistence across a reload, and two tabs
// of one origin racing opposite votes for the same task (IndexedDB transactions decide).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sourceConditions } from '../../../vite.config.ts'

const root = fileURLToPath(new URL('./browser/page', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'wisp-storage-page-'))
let server: PreviewServer
let browser: Browser
let context: BrowserContext
let url: string

type PageApi = {
  recordVote: (o: string, h: string, v: string) => Promise<{ ok: boolean; code?: string }>
  getVote: (o: string, h: string) => Promise<string | undefined>
  kvChecks: () => Promise<{ scanned: string[]; counter: string; history: number }>
}
const api = (page: Page) => ({
  recordVote: (o: string, h: string, v: string) =>
    page.evaluate(([o, h, v]) => (window as unknown as PageApi).recordVote(o!, h!, v!), [o, h, v]),
  getVote: (o: string, h: string) =>
    page.evaluate(([o, h]) => (window as unknown as PageApi).getVote(o!, h!), [o, h]),
  kvChecks: () => page.evaluate(() => (window as unknown as PageApi).kvChecks()),
})

async function openPage(): Promise<Page> {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
  return page
}

beforeAll(async () => {
  await build({
    root,
    logLevel: 'error',
    resolve: { conditions: sourceConditions },
    build: { outDir, emptyOutDir: true },
  })
  server = await preview({
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1' },
  })
  url = server.resolvedUrls!.local[0]!
  browser = await launchChromium()
  context = await browser.newContext()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()))
  rmSync(outDir, { recursive: true, force: true })
})

const hash = (i: number) => `0x${i.toString(16).padStart(64, '0')}`

describe('IdbStore in Chromium', () => {
  it('scans, batches and updates atomically', async () => {
    const page = await openPage()
    expect(await api(page).kvChecks()).toEqual({ scanned: ['p/2', 'p/1'], counter: '30', history: 1 })
    await page.close()
  })

  it('slashing protection survives a reload and still refuses the opposite verdict', async () => {
    const page = await openPage()
    expect(await api(page).recordVote('5', hash(1), 'approve')).toEqual({ ok: true })
    await page.reload()
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
    expect(await api(page).getVote('5', hash(1))).toBe('approve')
    expect(await api(page).recordVote('5', hash(1), 'reject')).toEqual({
      ok: false,
      code: 'SLASHING_CONFLICT',
    })
    await page.close()
  })

  it('two tabs racing opposite verdicts: exactly one is recorded', async () => {
    const [a, b] = await Promise.all([openPage(), openPage()])
    for (let i = 10; i < 20; i++) {
      const [ra, rb] = await Promise.all([
        api(a!).recordVote('6', hash(i), 'approve'),
        api(b!).recordVote('6', hash(i), 'reject'),
      ])
      expect([ra.ok, rb.ok].filter(Boolean)).toHaveLength(1)
      const loser = ra.ok ? rb : ra
      expect(loser.code).toBe('SLASHING_CONFLICT')
    }
    await Promise.all([a!.close(), b!.close()])
  })
})
