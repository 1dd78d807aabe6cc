// Driving the web attester (apps/web) in real headless Chromium. The selectors and the
// `window.__wisp` contract are the app's own test interface (apps/web/README.md, "For end-to-end
// tests"); these helpers follow apps/web/test/support/browser.ts.
import type { BrowserContext, Page } from 'playwright-core'
import { registerWithWalletDouble } from '../../../apps/web/test/support/wallet.ts'

export const PASSPHRASE = 'correct horse battery staple'

type Hex = `0x${string}`

/** The parts of the app's NodeStatus (apps/web/src/node/status.ts) these tests read. */
export interface TaskView {
  taskHash: Hex
  definitionId: number
  verdict?: 'approve' | 'reject' | 'abstain'
  reason?: string
  vote?: { isApproved: boolean; recipients: number; at: number }
  refused?: string
  ignored?: string
  outcome?: { txHash: Hex; isApproved: boolean; included: boolean; confirmed: boolean; attesterIds: number[] }
}

export interface NodeStatus {
  mode: 'page' | 'worker'
  phase: 'starting' | 'running' | 'stopped' | 'error'
  operator: { address: Hex; operatorId?: number; active: boolean; votingPower: string; rewards: string }
  p2p: {
    peerId?: string
    relayConnected: boolean
    peers: Array<{ peerId: string; kind: 'relay' | 'webrtc' | 'other'; limited?: boolean }>
    meshPeers: number
  }
  counts: Record<
    | 'received'
    | 'approve'
    | 'reject'
    | 'abstain'
    | 'published'
    | 'refused'
    | 'ignored'
    | 'outcomes'
    | 'included',
    number
  >
  tasks: TaskView[]
  history: Array<{ taskHash: Hex; verdict: 'approve' | 'reject' | 'abstain'; at: number }>
}

export interface WispWindow {
  view: 'loading' | 'error' | 'onboarding' | 'unlock' | 'standby' | 'register' | 'dashboard'
  lock: 'none' | 'held' | 'waiting'
  mode: 'page' | 'worker'
  profile?: { address: Hex; blsPublicKey: Hex; derivation: string }
  status?: NodeStatus
  nodeError?: string
}

export interface LongTask {
  start: number
  duration: number
}

/**
 * Installed before any script of every page of the context (reloads and new tabs included):
 * - a PerformanceObserver of main-thread long tasks (> 50 ms), buffered from the first script;
 * - counters of the WebSockets and RTCPeerConnections the page opens (a tab that runs no engine
 *   opens none: it cannot publish a vote).
 */
export async function installPageProbes(context: BrowserContext): Promise<void> {
  // Run by tsx (the benchmark), functions passed to the page are esbuild output that may call
  // its `__name` helper (keepNames); the page has no such helper unless it is given one.
  await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn' })
  await context.addInitScript(() => {
    const longTasks: Array<{ start: number; duration: number }> = []
    const sockets: string[] = []
    let peerConnections = 0
    Object.defineProperty(window, '__e2e', {
      value: {
        longTasks,
        sockets,
        peerConnections: () => peerConnections,
        observing: false,
      },
    })
    const probes = (window as unknown as { __e2e: { observing: boolean } }).__e2e
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration })
      }).observe({ type: 'longtask', buffered: true })
      probes.observing = true
    } catch {
      // no longtask support: `observing` stays false and the tests fail on it
    }
    // what made a frame long (Long Animation Frames): for failure messages only
    const frames: unknown[] = []
    Object.defineProperty(window, '__e2eFrames', { value: frames })
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as unknown as Array<{
          startTime: number
          duration: number
          renderStart: number
          styleAndLayoutStart: number
          blockingDuration: number
          scripts: Array<{
            invoker: string
            sourceURL: string
            sourceFunctionName: string
            duration: number
            forcedStyleAndLayoutDuration: number
          }>
        }>) {
          if (frames.length > 200) frames.shift()
          frames.push({
            start: Math.round(e.startTime),
            duration: Math.round(e.duration),
            blocking: Math.round(e.blockingDuration),
            render: Math.round(e.renderStart ? e.startTime + e.duration - e.renderStart : 0),
            styleAndLayout: Math.round(
              e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
            ),
            scripts: e.scripts.map((x) => ({
              invoker: x.invoker,
              source: `${x.sourceURL.split('/').pop()}:${x.sourceFunctionName}`,
              duration: Math.round(x.duration),
              forcedLayout: Math.round(x.forcedStyleAndLayoutDuration),
            })),
          })
        }
      }).observe({ type: 'long-animation-frame', buffered: true })
    } catch {
      // not supported: no attribution in failure messages
    }
    window.WebSocket = new Proxy(window.WebSocket, {
      construct(target, args, newTarget) {
        sockets.push(String(args[0]))
        return Reflect.construct(target, args, newTarget)
      },
    })
    if (typeof window.RTCPeerConnection === 'function') {
      window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
        construct(target, args, newTarget) {
          peerConnections++
          return Reflect.construct(target, args, newTarget)
        },
      })
    }
  })
}

export interface PageProbes {
  observing: boolean
  longTasks: LongTask[]
  sockets: string[]
  peerConnections: number
}

export function probes(page: Page): Promise<PageProbes> {
  return page.evaluate(() => {
    const p = (
      window as unknown as {
        __e2e: { observing: boolean; longTasks: LongTask[]; sockets: string[]; peerConnections: () => number }
      }
    ).__e2e
    return {
      observing: p.observing,
      longTasks: [...p.longTasks],
      sockets: [...p.sockets],
      peerConnections: p.peerConnections(),
    }
  })
}

/** Long tasks that ended after `since` (the page's performance.now()). */
export async function longTasksSince(page: Page, since: number): Promise<LongTask[]> {
  return (await probes(page)).longTasks.filter((t) => t.start + t.duration >= since)
}

/** Long animation frames since `since`, with their script attribution (diagnostics). */
export function longFramesSince(page: Page, since: number): Promise<unknown[]> {
  return page.evaluate(
    (t) =>
      (window as unknown as { __e2eFrames: Array<{ start: number; duration: number }> }).__e2eFrames.filter(
        (f) => f.start + f.duration >= t,
      ),
    since,
  )
}

export function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now())
}

export function wisp(page: Page): Promise<WispWindow> {
  return page.evaluate(() => (window as unknown as { __wisp: WispWindow }).__wisp)
}

/** Waits until the app state satisfies `predicate`, an expression over `w` evaluated in the page. */
export async function waitForWisp(
  page: Page,
  predicate: string,
  options: { timeoutMs?: number } = {},
): Promise<WispWindow> {
  try {
    await page.waitForFunction(`(() => { const w = window.__wisp; return (${predicate}) })()`, undefined, {
      timeout: options.timeoutMs ?? 60_000,
      polling: 250,
    })
  } catch (err) {
    const w = await wisp(page).catch(() => undefined)
    const summary = w && {
      view: w.view,
      lock: w.lock,
      nodeError: w.nodeError,
      phase: w.status?.phase,
      relayConnected: w.status?.p2p.relayConnected,
      meshPeers: w.status?.p2p.meshPeers,
      counts: w.status?.counts,
    }
    throw new Error(`page state never matched: ${predicate}\nstate: ${JSON.stringify(summary)}`, {
      cause: err,
    })
  }
  return wisp(page)
}

export function forwardConsole(page: Page, name: string, sink: (line: string) => void): void {
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') sink(`[${name}] ${msg.type()}: ${msg.text()}`)
  })
  page.on('pageerror', (err) => sink(`[${name}] page error: ${err.message}`))
}

/** Opens the app (`?test=1` adds its test hooks) and waits for its first screen. */
export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(`${url}?test=1`)
  await waitForWisp(page, "w.view === 'onboarding' || w.view === 'unlock'")
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

/** From an unlocked key to a running, relay-connected attester (registering from the wallet if needed). */
export async function registerAndRun(page: Page, options: { timeoutMs?: number } = {}): Promise<WispWindow> {
  const w = await waitForWisp(
    page,
    "w.view === 'register' || w.view === 'dashboard' || w.view === 'standby'",
    options,
  )
  if (w.view === 'register') await registerWithWalletDouble(page, PASSPHRASE) // faucet + wallet (a double)
  return waitForRunning(page, options)
}

export function waitForRunning(page: Page, options: { timeoutMs?: number } = {}): Promise<WispWindow> {
  return waitForWisp(
    page,
    "w.view === 'dashboard' && w.status?.phase === 'running' && w.status.p2p.relayConnected && w.status.p2p.meshPeers > 0",
    options,
  )
}
