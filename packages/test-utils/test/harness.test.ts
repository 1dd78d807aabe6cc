import { describe, expect, it } from 'vitest'
import { freePort, launchChromium } from '../src/index.js'

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
})
