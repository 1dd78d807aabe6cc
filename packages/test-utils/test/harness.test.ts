import { describe, expect, it } from 'vitest'
import { freePort, launchChromium, watchMainThreads } from '../src/index.js'

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
      const busy = (ms: number, mark: string) =>
        page.evaluate(
          ([ms, mark]) =>
            new Promise<void>((resolve) =>
              // from a page timer: code run by page.evaluate itself is not a task of the page
              setTimeout(() => {
                performance.mark(mark)
                const until = performance.now() + ms
                while (performance.now() < until) {
                  // busy
                }
                resolve()
              }, 0),
            ),
          [ms, mark] as const,
        )
      const watch = await watchMainThreads(browser, { ignoreMarks: ['control'] })
      for (let i = 0; i < 5; i++) await busy(20, 'short') // short tasks: never reported
      await busy(120, 'control') // reported, but left out of the budget (a test's positive control)
      await busy(90, 'long') // reported and over the budget
      const report = await watch.stop()
      expect(report.dataLoss).toBe(false)
      const byMark = (m: string) => report.tasks.filter((t) => t.marks.includes(m))
      expect(byMark('short')).toEqual([])
      expect(byMark('control')).toHaveLength(1)
      expect(byMark('control')[0]!.cpuMs).toBeGreaterThan(60)
      expect(report.overBudget.map((t) => t.marks)).toEqual([['long']])
      expect(report.maxCpuMs).toBeGreaterThan(50)
      expect(report.maxCpuMs).toBe(report.overBudget[0]!.cpuMs)
    } finally {
      await browser.close()
    }
  })
})
