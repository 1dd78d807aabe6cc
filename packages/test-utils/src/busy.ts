// Positive controls for long-task tests: a page task that needs a known amount of CPU. It is
// sized by work (loop iterations, calibrated on the page), not by the clock: a loop that ran
// until the clock said 120 ms gets only the CPU share the OS gives it, which on a loaded 2-core
// machine is 20–40 ms — too little to prove that a >50 ms CPU task would be seen.
import type { Page } from 'playwright-core'

function spin(iterations: number): number {
  let x = 0
  for (let i = 0; i < iterations; i++) x = (x + Math.sqrt(i)) % 1e9
  return x
}

const SPIN_SOURCE = spin.toString()
const PROBE_ITERATIONS = 2_000_000

/**
 * Loop iterations that take about `cpuMs` of CPU on this page, from the fastest of five timed runs.
 * A calibration slowed by other processes (every run descheduled) makes the task *smaller* than
 * asked, never bigger: ask for a margin (e.g. 3× the CPU time the test relies on).
 */
export function calibrateBusyTask(page: Page, cpuMs: number): Promise<number> {
  return page.evaluate(
    ([source, probe, ms]) => {
      const run = new Function(`return (${source})`)() as (n: number) => number
      let best = Number.POSITIVE_INFINITY
      for (let i = 0; i < 5; i++) {
        const t = performance.now()
        run(probe)
        best = Math.min(best, performance.now() - t)
      }
      return Math.round((probe / Math.max(best, 0.1)) * ms)
    },
    [SPIN_SOURCE, PROBE_ITERATIONS, cpuMs] as const,
  )
}

/**
 * Runs `iterations` of the calibrated loop as one task of the page's event loop (from a page
 * timer: code run by page.evaluate itself is not such a task), after `performance.mark(mark)`.
 */
export function runBusyTask(page: Page, iterations: number, mark: string): Promise<void> {
  return page.evaluate(
    ([source, n, name]) => {
      const run = new Function(`return (${source})`)() as (n: number) => number
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          performance.mark(name)
          run(n)
          resolve()
        }, 0),
      )
    },
    [SPIN_SOURCE, iterations, mark] as const,
  )
}
