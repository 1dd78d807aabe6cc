// Driving the app in real headless Chromium.
import { watchMainThreads } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { expect, inject } from 'vitest'
import type { NodeStatus } from '../../src/node/status.ts'
import { installWallet, registerWithWalletDouble, type WalletDouble } from './wallet.ts'

export const PASSPHRASE = 'correct horse battery staple'

export interface WispWindow {
  view: string
  error?: string
  network?: { name: string; kind: string }
  lock: string
  mode: 'page' | 'worker'
  profile?: { address: `0x${string}`; blsPublicKey: `0x${string}`; derivation: string }
  status?: NodeStatus
  nodeError?: string
  wallet?: { account: `0x${string}`; accounts: `0x${string}`[]; chainId: number }
  funds?: { eth: string; tokens: string; staked: string; symbol: string }
  registerError?: { code: string; message: string }
}

/** Long tasks (> 50 ms) on the page's main thread, recorded from the first script on. */
export async function observeLongTasks(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const seen: Array<{ start: number; duration: number }> = []
    Object.defineProperty(window, '__longTasks', { value: seen })
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) seen.push({ start: e.startTime, duration: e.duration })
    }).observe({ type: 'longtask', buffered: true })
  })
}

export function longTasksSince(
  page: Page,
  since: number,
): Promise<Array<{ start: number; duration: number }>> {
  return page.evaluate(
    (t) =>
      (window as unknown as { __longTasks: Array<{ start: number; duration: number }> }).__longTasks.filter(
        (x) => x.start + x.duration >= t,
      ),
    since,
  )
}

/**
 * Watches a page's main thread from now on, two ways: its PerformanceObserver (wall-clock long
 * tasks) and a Chromium trace (each long task's CPU time). `stop()` returns both. Tests hold the
 * page's own work to the budget by CPU time — on this shared 2-core machine the observer's
 * wall-clock entries are mostly the OS descheduling the renderer while anvil, the Node peers and
 * the workers run — and bound the wall-clock time so that no page ever freezes;
 * WISP_STRICT_LONGTASKS=1 (a machine with cores to spare) holds the observer to the budget too.
 */
export async function watchLongTasks(browser: Browser, page: Page) {
  const since = await pageNow(page)
  const trace = await watchMainThreads(browser)
  return {
    /** Ends the watch and asserts: no main-thread task over 50 ms of CPU, none over MAX_WALL_MS. */
    async check(what = 'the page'): Promise<void> {
      await page.waitForTimeout(200) // let the observer report the last frames
      const observed = await longTasksSince(page, since)
      const traced = await trace.stop()
      const detail = `${what}: observed ${JSON.stringify(observed)}; traced ${JSON.stringify(traced.tasks)}`
      expect(traced.dataLoss, detail).toBe(false)
      expect(traced.overBudget, detail).toEqual([])
      expect(Math.max(0, ...observed.map((t) => t.duration)), detail).toBeLessThan(MAX_WALL_MS)
    },
  }
}

/** The longest wall-clock long task a test accepts when not strict (a visible hitch, not a freeze). */
export const MAX_WALL_MS = process.env.WISP_STRICT_LONGTASKS === '1' ? 50 : 500

export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now())
}

export function wisp(page: Page): Promise<WispWindow> {
  return page.evaluate(() => (window as unknown as { __wisp: WispWindow }).__wisp)
}

/** Waits until the app state satisfies `predicate` (evaluated in the page, so keep it self-contained). */
export async function waitForWisp(
  page: Page,
  predicate: string,
  options: { timeoutMs?: number } = {},
): Promise<WispWindow> {
  await page.waitForFunction(`(() => { const w = window.__wisp; return (${predicate}) })()`, undefined, {
    timeout: options.timeoutMs ?? 60_000,
    polling: 250,
  })
  return wisp(page)
}

export function forwardConsole(page: Page, name: string): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error') process.stderr.write(`[${name}] ${msg.text()}\n`)
  })
  page.on('pageerror', (err) => process.stderr.write(`[${name}] page error: ${err.message}\n`))
}

export async function openApp(context: BrowserContext, url: string, name = 'page'): Promise<Page> {
  const page = await context.newPage()
  forwardConsole(page, name)
  await page.goto(`${url}?test=1`)
  await waitForWisp(page, "w.view === 'onboarding' || w.view === 'unlock'")
  return page
}

export async function createKey(page: Page, passphrase = PASSPHRASE): Promise<void> {
  await page.getByTestId('onboard-create').click()
  await page.getByTestId('passphrase').fill(passphrase)
  await page.getByTestId('passphrase-confirm').fill(passphrase)
  await page.getByTestId('onboard-submit').click()
}

export async function unlock(page: Page, passphrase = PASSPHRASE): Promise<void> {
  await page.getByTestId('unlock-passphrase').fill(passphrase)
  await page.getByTestId('unlock-submit').click()
}

/** The wallet double on this page (installed once), on the test network's chain unless told otherwise. */
export function pageWallet(
  page: Page,
  options: { startChainId?: number; knowsChain?: boolean } = {},
): Promise<WalletDouble> {
  const net = inject('wisp')
  return installWallet(page, { rpcUrl: net.rpcUrl, chainId: net.chainId, ...options })
}

/** From unlocked to a running, relay-connected attester (registering from the wallet if needed). */
export async function registerAndRun(page: Page): Promise<WispWindow> {
  const w = await waitForWisp(page, "w.view === 'register' || w.view === 'dashboard' || w.view === 'standby'")
  // the wallet double registers it (there is no wallet extension here): see ./wallet.ts
  if (w.view === 'register') await registerWithWalletDouble(page, PASSPHRASE)
  return waitForWisp(
    page,
    "w.view === 'dashboard' && w.status?.phase === 'running' && w.status.p2p.relayConnected && w.status.p2p.meshPeers > 0",
  )
}
