// A burst of tasks sent at once through the aggregator's JSON-RPC, with every page's main thread
// watched two ways: a PerformanceObserver of long tasks (wall-clock, what the issue names) and a
// Chromium trace (each main-thread task's CPU time next to its wall-clock time). Shared by the
// burst test (which asserts on the report) and the e2e benchmark (which prints it).
import { calibrateBusyTask, runBusyTask, waitFor, watchMainThreads } from '@wisp/test-utils'
import type { Page } from 'playwright-core'
import { longTasksSince, pageNow, probes } from './browser.ts'
import type { E2eNetwork } from './network.ts'
import { percentile } from './stats.ts'

export interface BurstReport {
  tasks: number
  elapsedMs: number
  tasksPerSecond: number
  /** sendTask → the aggregator's TaskSubmitted/TaskRejected receipt */
  finalityMs: { p50: number; p99: number; max: number }
  /** the fewest browser operators in any task's attestersIds */
  browsersPerTask: number
  events: { submitted: number; rejected: number }
  longTasksObserved: { perPage: Array<{ page: string; count: number }>; maxWallMs: number }
  longTasksTraced: {
    /** main-thread tasks over 50 ms of wall-clock time during the burst */
    count: number
    maxCpuMs: number
    /** those over 50 ms of CPU time */
    overBudget: Array<{ pid: number; cpuMs: number; wallMs: number }>
    traceBytes: number
    dataLoss: boolean
  }
  /** the positive control: a marked busy task of 150–300 ms of CPU on every page, as the trace saw
   * it (the largest per page, as a control may have run again at twice the size) */
  controls: { pagesWithMark: number; cpuMs: number[] }
}

/**
 * The control: a marked busy task of `iterations` steps (see @wisp/test-utils busy.ts). A
 * calibration taken while the machine was still loaded sizes the task too small for the observer
 * to report it as ≥ 100 ms; then it runs again at twice the size, up to three times.
 */
async function busyLoopControl(page: Page, iterations: number): Promise<void> {
  for (let attempt = 0, n = iterations; ; attempt++, n *= 2) {
    const before = await pageNow(page)
    await runBusyTask(page, n, 'e2e-control')
    try {
      await waitFor(
        'the observer to report the control task',
        async () => (await longTasksSince(page, before)).some((t) => t.duration >= 100),
        { timeoutMs: 10_000 },
      )
      return
    } catch (error) {
      if (attempt === 2) throw error
    }
  }
}

export async function runBurst(
  net: E2eNetwork,
  count: number,
  options: { timeoutMs?: number } = {},
): Promise<{ report: BurstReport; taskHashes: Array<`0x${string}`> }> {
  const pages = net.browsers.map((b) => b.page)
  for (const page of pages) {
    if (!(await probes(page)).observing) throw new Error('a page has no long-task observer')
  }
  const browserIds = new Set(net.browsers.map((b) => b.operatorId))
  // made and signed beforehand (CPU), then all sent at once (I/O only)
  const prepared = []
  for (let i = 0; i < count; i++) prepared.push(await net.prepareTask())
  // sized while the pages are idle, before the burst
  // ~300 ms of CPU, twice what the control needs: a loaded calibration makes it smaller
  const controlIterations = await Promise.all(pages.map((page) => calibrateBusyTask(page, 300)))
  const mainThreads = await watchMainThreads(net.browser, { ignoreMarks: ['e2e-control'] })
  const since = await Promise.all(pages.map(pageNow))
  const started = Date.now()
  const tasks = await Promise.all(prepared.map((p) => net.sendPrepared(p)))
  const sent = await Promise.all(
    tasks.map((t) => net.aggregator.submitted(t.taskHash, options.timeoutMs ?? 240_000)),
  )
  const elapsedMs = Date.now() - started
  const observed = await Promise.all(pages.map((page, i) => longTasksSince(page, since[i]!)))
  // page after page, so each runs alone and gets the CPU
  for (const [i, page] of pages.entries()) await busyLoopControl(page, controlIterations[i]!)
  const traced = await mainThreads.stop()
  const controls = traced.tasks.filter((t) => t.marks.includes('e2e-control'))
  const burstTasks = traced.tasks.filter((t) => !t.marks.includes('e2e-control'))
  const finality = sent.map((s, i) => s.at - tasks[i]!.sentAt).sort((a, b) => a - b)
  const report: BurstReport = {
    tasks: count,
    elapsedMs,
    tasksPerSecond: Math.round((count / (elapsedMs / 1000)) * 100) / 100,
    finalityMs: { p50: percentile(finality, 50), p99: percentile(finality, 99), max: finality.at(-1)! },
    browsersPerTask: Math.min(...sent.map((s) => s.attesterIds.filter((id) => browserIds.has(id)).length)),
    events: {
      submitted: sent.filter((s) => s.event === 'TaskSubmitted').length,
      rejected: sent.filter((s) => s.event === 'TaskRejected').length,
    },
    longTasksObserved: {
      perPage: observed.map((l, i) => ({ page: net.browsers[i]!.name, count: l.length })),
      maxWallMs: Math.max(0, ...observed.flat().map((t) => Math.round(t.duration))),
    },
    longTasksTraced: {
      count: burstTasks.length,
      maxCpuMs: traced.maxCpuMs,
      overBudget: traced.overBudget.map((t) => ({ pid: t.pid, cpuMs: t.cpuMs, wallMs: t.wallMs })),
      traceBytes: traced.traceBytes,
      dataLoss: traced.dataLoss,
    },
    controls: {
      pagesWithMark: new Set(traced.marks.filter((m) => m.name === 'e2e-control').map((m) => m.pid)).size,
      cpuMs: [...largestPerPage(controls).values()],
    },
  }
  return { report, taskHashes: tasks.map((t) => t.taskHash) }
}

function largestPerPage(tasks: Array<{ pid: number; cpuMs: number }>): Map<number, number> {
  const largest = new Map<number, number>()
  for (const t of tasks) largest.set(t.pid, Math.max(largest.get(t.pid) ?? 0, t.cpuMs))
  return largest
}
