// The app end to end on the local network, in real headless Chromium: boot, create a key,
// faucet + registration from the wallet (a wallet double: there is no wallet extension here; see
// wallet.test.ts), attest tasks (verdict, signed vote, on-chain outcome with our operator in
// attestersIds), the dashboard at desktop and phone size, and a reload that keeps history.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createKey,
  forwardConsole,
  observeLongTasks,
  openApp,
  registerAndRun,
  unlock,
  waitForWisp,
  watchLongTasks,
  wisp,
} from './support/browser.ts'
import { sendTask } from './support/tasks.ts'

const net = inject('wisp')
const shots = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1360, height: 900 } })
  await observeLongTasks(context)
})

afterAll(async () => {
  await browser?.close()
})

describe('web attester on the local network', () => {
  it('boots, creates a key in the signer worker and registers from the wallet', async () => {
    page = await openApp(context, net.webUrl, 'app')
    expect((await wisp(page)).view).toBe('onboarding')
    await expect(page.getByTestId('network').textContent()).resolves.toContain('Wisp test network')
    await createKey(page)
    const w = await waitForWisp(page, "w.view === 'register'")
    expect(w.profile?.derivation).toBe('othentic-ecdsa')
    expect(w.profile?.address).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const running = await registerAndRun(page)
    expect(running.status?.operator.operatorId).toBeGreaterThan(1)
    expect(running.status?.operator.active).toBe(true)
    expect(running.status?.plugins.map((p) => p.id)).toEqual(['@wisp/plugin-hash-chain'])
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-pill]')?.textContent === 'Attesting',
    )
  })

  it('attests tasks: approve and reject verdicts, signed votes, outcomes on chain that include it', async () => {
    const mainThread = await watchLongTasks(browser, page)
    // Peers learn about a newly registered operator lazily: the first unknown attester makes them
    // reload the operator set, and concurrent lookups within that reload's rate limit are dropped.
    // One task first, so the aggregator knows us before the batch.
    const first = await sendTask(net)
    await waitForWisp(
      page,
      `w.status.tasks.some((t) => t.taskHash === '${first.taskHash}' && t.outcome?.confirmed)`,
    )
    const good = [await sendTask(net), await sendTask(net), await sendTask(net)]
    const bad = await sendTask(net, { wrong: true })
    const all = [...good, bad].map((t) => t.taskHash)
    const w = await waitForWisp(
      page,
      `${JSON.stringify(all)}.every((h) => w.status.tasks.some((t) => t.taskHash === h && t.outcome?.confirmed))`,
      { timeoutMs: 60_000 },
    )
    const byHash = new Map(w.status!.tasks.map((t) => [t.taskHash, t]))
    for (const t of good) {
      const view = byHash.get(t.taskHash)!
      expect(view.verdict).toBe('approve')
      expect(view.vote?.isApproved).toBe(true)
      expect(view.outcome?.isApproved).toBe(true)
    }
    expect(byHash.get(bad.taskHash)!.verdict).toBe('reject')
    expect(byHash.get(bad.taskHash)!.outcome?.isApproved).toBe(false)
    // the aggregator waits 1.5 s after the threshold: the browser's votes make it into attestersIds
    const included = all.filter((h) => byHash.get(h)!.outcome?.included)
    expect(included.length).toBeGreaterThanOrEqual(3)
    expect(w.status!.counts.published).toBeGreaterThanOrEqual(4)
    // rewards accrue on chain for tasks that include us (polled every few blocks)
    await waitForWisp(page, 'BigInt(w.status.operator.rewards) > 0n', { timeoutMs: 30_000 })
    await waitForWisp(page, 'w.status.history.length >= 4')
    // rewards in the reward token's unit, plugin names rather than definition numbers
    await waitForWisp(page, "w.status.operator.rewardToken?.symbol === 'WRWD'")
    await expect.poll(() => page.getByTestId('stat-rewards').textContent()).toContain('WRWD')
    await expect.poll(() => page.getByTestId('task-feed').textContent()).toContain('@wisp/plugin-hash-chain')
    // a vote not among the submitted attesters says why (here: the rejected task's verdicts agree, so
    // any exclusion is 'not-needed' or 'late'; included ones carry no reason)
    for (const t of w.status!.tasks.filter((v) => v.outcome && !v.outcome.included))
      expect(['late', 'over-attester-limit', 'not-needed', 'other-verdict', 'no-vote']).toContain(
        t.outcome!.excluded,
      )
    await mainThread.check()
  })

  it('looks good on a desktop and on a phone', async () => {
    // a few more tasks so the charts have something to draw
    for (let i = 0; i < 6; i++) await sendTask(net, { wrong: i === 4 })
    await waitForWisp(page, 'w.status.tasks.filter((t) => t.outcome?.confirmed).length >= 10', {
      timeoutMs: 60_000,
    })
    const settle = () => page.waitForTimeout(700) // the dashboard renders at most twice a second
    await settle()
    await page.screenshot({ path: `${shots}dashboard-desktop.png`, fullPage: true })
    await page.emulateMedia({ colorScheme: 'dark' })
    await settle()
    await page.screenshot({ path: `${shots}dashboard-desktop-dark.png`, fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    })
    const phonePage = await phone.newPage()
    forwardConsole(phonePage, 'phone')
    await phonePage.goto(`${net.webUrl}?test=1`)
    await waitForWisp(phonePage, "w.view === 'onboarding'")
    await phonePage.screenshot({ path: `${shots}onboarding-phone.png` })
    await phone.close()

    await page.setViewportSize({ width: 390, height: 844 })
    await settle()
    await page.screenshot({ path: `${shots}dashboard-phone-top.png` })
    await page.getByTestId('task-feed').scrollIntoViewIfNeeded()
    await settle()
    await page.screenshot({ path: `${shots}dashboard-phone-tasks.png` })
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    await page.evaluate(() => window.scrollTo(0, 0))
    await page.setViewportSize({ width: 1360, height: 900 })
  })

  it('keeps its history, counters and slashing protection across a reload, then attests again', async () => {
    // counters are saved every few seconds: wait for a save that holds the latest votes
    const since = await page.evaluate(() => Date.now())
    const status = (await waitForWisp(page, `w.status.countsSavedAt > ${since}`, { timeoutMs: 15_000 }))
      .status!
    const before = status.history.length
    const published = status.counts.published
    await page.reload()
    await waitForWisp(page, "w.view === 'unlock'")
    await unlock(page)
    const w = await registerAndRun(page)
    expect(w.status!.history.length).toBeGreaterThanOrEqual(Math.min(before, 30))
    // the counters continue from where the tab left them (same chain), not from zero
    expect(w.status!.counts.published).toBeGreaterThanOrEqual(published)
    expect(w.status!.history.every((h) => h.otherChain !== true)).toBe(true)
    const task = await sendTask(net)
    await waitForWisp(
      page,
      `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.vote && t.outcome?.confirmed)`,
    )
  })
})
