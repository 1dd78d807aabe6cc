// Worker mode: the whole engine in a dedicated Web Worker (WebSocket libp2p, idb, nested BLS and
// plugin workers, signing through a port onto the signer worker). The page only draws: it never
// loads libp2p, and it shows no long task while the worker attests.
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createKey,
  observeLongTasks,
  openApp,
  registerAndRun,
  unlock,
  waitForWisp,
  watchLongTasks,
} from './support/browser.ts'
import { sendTask } from './support/tasks.ts'

const net = inject('wisp')
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  browser = await launchChromium()
  context = await browser.newContext()
  await observeLongTasks(context)
})

afterAll(async () => {
  await browser?.close()
})

/** The JS files the page's own thread loaded (workers' scripts are not in its resource timing). */
function pageScripts(p: Page): Promise<string[]> {
  return p.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((r) => (r as PerformanceResourceTiming).initiatorType === 'script')
      .map((r) => new URL(r.name).pathname),
  )
}

describe('engine in a dedicated worker', () => {
  it('switches from the page to a worker and attests there', async () => {
    page = await openApp(context, net.webUrl, 'worker-mode')
    await createKey(page)
    await registerAndRun(page)
    await page.getByTestId('mode-worker').click()
    const w = await waitForWisp(
      page,
      "w.mode === 'worker' && w.status?.runtime === 'worker' && w.status.phase === 'running' && w.status.p2p.relayConnected && w.status.p2p.meshPeers > 0",
    )
    expect(w.status!.plugins.map((p) => p.id)).toEqual(['@wisp/plugin-hash-chain'])
    const mainThread = await watchLongTasks(browser, page)
    // one task first so the aggregator learns about the new operator (see app.test.ts)
    const first = await sendTask(net)
    await waitForWisp(
      page,
      `w.status.tasks.some((t) => t.taskHash === '${first.taskHash}' && t.outcome?.confirmed)`,
    )
    const tasks = [await sendTask(net), await sendTask(net), await sendTask(net, { wrong: true })]
    const done = await waitForWisp(
      page,
      `${JSON.stringify(tasks.map((t) => t.taskHash))}.every((h) => w.status.tasks.some((t) => t.taskHash === h && t.vote && t.outcome?.confirmed))`,
    )
    const views = tasks.map((t) => done.status!.tasks.find((v) => v.taskHash === t.taskHash)!)
    expect(views.map((v) => v.verdict)).toEqual(['approve', 'approve', 'reject'])
    // the aggregator submits 1.5 s after its own vote reached the threshold: the browser's vote is in
    const timing = views.map((v) => `${v.latencyMs} ms to verdict, ${v.vote!.at - v.receivedAt} ms to vote`)
    expect(views.filter((v) => v.outcome!.included).length, timing.join('; ')).toBeGreaterThanOrEqual(2)
    await mainThread.check()
  })

  it('stays in worker mode across a reload, without loading libp2p on the page', async () => {
    await page.reload()
    await waitForWisp(page, "w.view === 'unlock'")
    await unlock(page)
    const mainThread = await watchLongTasks(browser, page)
    const w = await registerAndRun(page)
    expect(w.mode).toBe('worker')
    expect(w.status!.runtime).toBe('worker')
    const scripts = await pageScripts(page)
    expect(
      scripts.some((s) => /\/page-[^/]+\.js$/.test(s)),
      scripts.join(', '),
    ).toBe(false)
    const task = await sendTask(net)
    await waitForWisp(
      page,
      `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.vote && t.outcome)`,
    )
    await mainThread.check()
  })
})
