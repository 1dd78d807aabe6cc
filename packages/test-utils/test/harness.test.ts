import { describe, expect, it } from 'vitest'
import { calibrateBusyTask, freePort, launchChromium, runBusyTask, watchMainThreads } from '../src/index.js'

describe('test harness', () => {
  it('finds distinct free loopback ports', async () => {
    const [a, b] = await Promise.all([freePort(), freePort()])
    expect(a).toBeGreaterThan(0)
    expect(b).toBeGreaterThan(0)
  })

  it('launches real headless Chromium and evaluates in a page', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome/)
    } finally {
      await browser.close()
    }
  })

  it('reads main-thread tasks with their CPU time out of a Chromium trace', async () => {
    const browser = await launchChromium()
    try {
      const page = await browser.newPage()
      // sized by CPU work, so the check holds on a loaded machine too (see src/busy.ts)
      const perMs = (await calibrateBusyTask(page, 100)) / 100
      const busy = (cpuMs: number, mark: string) => runBusyTask(page, Math.round(perMs * cpuMs), mark)
      const watch = await watchMainThreads(browser, { ignoreMarks: ['control'] })
      // sizes with a margin: a calibration slowed by a loaded machine makes tasks smaller (busy.ts)
      for (let i = 0; i < 5; i++) await busy(10, 'short') // short tasks: never over the budget
      await busy(300, 'control') // reported, but left out of the budget (a test's positive control)
      await busy(240, 'long') // reported and over the budget
      const report = await watch.stop()
      expect(report.dataLoss).toBe(false)
      const byMark = (m: string) => report.tasks.filter((t) => t.marks.includes(m))
      // (a short task may last over 50 ms of wall-clock time on a loaded machine, never of CPU)
      expect(byMark('short').filter((t) => t.cpuMs > 50)).toEqual([])
      expect(byMark('control')).toHaveLength(1)
      expect(byMark('control')[0]!.cpuMs).toBeGreaterThan(60)
      // the trace covers every renderer (Chromium may start a spare one meanwhile): this page's only
      const own = report.overBudget.filter((t) => t.pid === byMark('control')[0]!.pid)
      expect(
        own.map((t) => t.marks),
        JSON.stringify(report.tasks),
      ).toEqual([['long']])
      expect(report.maxCpuMs).toBeGreaterThanOrEqual(own[0]!.cpuMs)
    } finally {
      await browser.close()
    }
  })
})
