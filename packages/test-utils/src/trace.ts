import { gunzipSync } from 'node:zlib'
import type { Browser } from 'playwright-core'

// Main-thread tasks of the pages from a Chromium trace (category `toplevel`): for each task its
// wall-clock duration (`dur`, what a PerformanceObserver 'longtask' entry reports) and the CPU
// time the renderer's main thread actually ran in it (`tdur`). On a machine with fewer cores than
// busy threads the two differ: a task that needs 10 ms of CPU lasts 100 ms when the OS runs other
// processes meanwhile.
//
// A burst's trace is a few hundred MB of JSON; rather than parsing it, the three kinds of events
// needed are matched as text (Chromium writes each event's keys in alphabetical order). The test
// that uses this has a positive control: a marked 120 ms busy loop on every page must appear.
//
// Why CPU time: on a shared 2-core machine a PerformanceObserver 'longtask' entry (wall-clock) is
// often the OS descheduling the renderer, not the page's code blocking. `watchMainThreads` gives
// both, so a test can hold the page's own work to the 50 ms budget and still bound the wall time.

export interface MainThreadTask {
  pid: number
  ts: number
  wallMs: number
  cpuMs: number
}

const THREAD_NAME =
  /"args":\{"name":"CrRendererMain"\},"cat":"__metadata","name":"thread_name","ph":"M","pid":(\d+),"tid":(\d+)/g
const RUN_TASK =
  /"dur":(\d+),"name":"ThreadControllerImpl::RunTask","ph":"X","pid":(\d+),"tdur":(\d+),"tid":(\d+),"ts":(\d+)/g
const MARK =
  /"cat":"blink\.user_timing","name":"([\w:.-]+)","ph":"I","pid":(\d+),"s":"t","tid":(\d+),"ts":(\d+)/g

export interface TraceMark {
  name: string
  pid: number
  ts: number
}

/**
 * The renderers' main-thread tasks longer than `minWallMs` of wall-clock time, and the
 * `performance.mark()`s the pages made (with the task each fell in, when it was a long one).
 */
export function analyseTrace(
  trace: Buffer,
  minWallMs: number,
): { tasks: Array<MainThreadTask & { marks: string[] }>; marks: TraceMark[] } {
  const mainThreads = new Set<string>()
  const candidates = new Map<string, MainThreadTask & { tid: number; durUs: number }>()
  const marks = new Map<string, TraceMark & { tid: number }>()
  const CHUNK = 8 * 1024 * 1024
  const OVERLAP = 4096
  for (let start = 0; start < trace.length; start += CHUNK) {
    const text = trace.toString('utf8', start, Math.min(trace.length, start + CHUNK + OVERLAP))
    for (const m of text.matchAll(THREAD_NAME)) mainThreads.add(`${m[1]}:${m[2]}`)
    for (const m of text.matchAll(MARK)) {
      const mark = { name: m[1]!, pid: Number(m[2]), tid: Number(m[3]), ts: Number(m[4]) }
      marks.set(`${mark.pid}:${mark.ts}:${mark.name}`, mark)
    }
    for (const m of text.matchAll(RUN_TASK)) {
      const durUs = Number(m[1])
      if (durUs < minWallMs * 1000) continue
      const task = {
        pid: Number(m[2]),
        tid: Number(m[4]),
        ts: Number(m[5]),
        durUs,
        wallMs: Math.round(durUs / 100) / 10,
        cpuMs: Math.round(Number(m[3]) / 100) / 10,
      }
      candidates.set(`${task.pid}:${task.tid}:${task.ts}`, task)
    }
  }
  const allMarks = [...marks.values()].filter((m) => mainThreads.has(`${m.pid}:${m.tid}`))
  const tasks = [...candidates.values()]
    .filter((t) => mainThreads.has(`${t.pid}:${t.tid}`))
    .sort((a, b) => a.ts - b.ts)
    .map(({ tid, durUs, ...t }) => ({
      ...t,
      marks: allMarks
        .filter((m) => m.pid === t.pid && m.tid === tid && m.ts >= t.ts && m.ts <= t.ts + durUs)
        .map((m) => m.name),
    }))
  return { tasks, marks: allMarks.map(({ tid: _tid, ...m }) => m) }
}

export interface Trace {
  trace: Buffer
  /** the browser dropped events (buffer full): the trace does not cover the whole window */
  dataLoss: boolean
}

/**
 * Starts a browser-wide trace of the `toplevel` category over CDP; the returned function ends it
 * and reads it back as a stream (a burst's trace is a few hundred MB).
 */
export async function startTrace(browser: Browser, bufferKb = 1_000_000): Promise<() => Promise<Trace>> {
  const cdp = await browser.newBrowserCDPSession()
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    // a burst's trace is ~300 MB of JSON: gzipped, it crosses CDP (base64) about 15 times smaller
    streamCompression: 'gzip',
    traceConfig: {
      includedCategories: ['toplevel', 'blink.user_timing'],
      recordMode: 'recordUntilFull',
      traceBufferSizeInKb: bufferKb,
    },
  })
  return async () => {
    const complete = new Promise<{ stream?: string; dataLossOccurred: boolean }>((resolve) =>
      cdp.once('Tracing.tracingComplete', resolve),
    )
    await cdp.send('Tracing.end')
    const { stream, dataLossOccurred } = await complete
    if (stream === undefined) throw new Error('the trace came back without a stream')
    const chunks: Buffer[] = []
    for (;;) {
      const read = await cdp.send('IO.read', { handle: stream, size: 4 * 1024 * 1024 })
      chunks.push(Buffer.from(read.data, read.base64Encoded ? 'base64' : 'utf8'))
      if (read.eof) break
    }
    await cdp.send('IO.close', { handle: stream })
    await cdp.detach()
    return { trace: gunzipSync(Buffer.concat(chunks)), dataLoss: dataLossOccurred }
  }
}

/** Main-thread tasks over the budget, by CPU time: what a page's own code blocked for. */
export interface MainThreadReport {
  /** main-thread tasks longer than 50 ms of wall-clock time, with their CPU time */
  tasks: Array<MainThreadTask & { marks: string[] }>
  /** those over the budget in CPU time (50 ms unless told) */
  overBudget: Array<MainThreadTask & { marks: string[] }>
  marks: TraceMark[]
  maxCpuMs: number
  dataLoss: boolean
  traceBytes: number
}

/**
 * Traces every renderer's main thread from now until `stop()`; `stop()` reads the trace back and
 * reports the long tasks. Tasks that contain a `performance.mark()` named in `ignoreMarks` (a test's
 * positive control) are left out of `overBudget` and `maxCpuMs`.
 */
export async function watchMainThreads(
  browser: Browser,
  options: { budgetMs?: number; ignoreMarks?: string[] } = {},
): Promise<{ stop(): Promise<MainThreadReport> }> {
  const stopTrace = await startTrace(browser)
  const budget = options.budgetMs ?? 50
  const ignored = new Set(options.ignoreMarks ?? [])
  return {
    async stop() {
      const { trace, dataLoss } = await stopTrace()
      const { tasks, marks } = analyseTrace(trace, 50)
      const counted = tasks.filter((t) => !t.marks.some((m) => ignored.has(m)))
      return {
        tasks,
        overBudget: counted.filter((t) => t.cpuMs > budget),
        marks,
        maxCpuMs: Math.max(0, ...counted.map((t) => t.cpuMs)),
        dataLoss,
        traceBytes: trace.length,
      }
    },
  }
}
