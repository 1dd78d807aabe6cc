// Plugins run in the plugin worker: a URL plugin is refused unless its SHA-256 matches the pin,
// a pinned one loads and validates, a burst of validations leaves the page without a long task,
// and a plugin that blocks its thread is stopped at the deadline (abstain) while the page stays
// responsive and the other plugins keep working.
import { hashChain } from '@wisp/plugin-hash-chain'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { bytesToHex, stringToBytes, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  createKey,
  observeLongTasks,
  openApp,
  registerAndRun,
  waitForWisp,
  watchLongTasks,
} from './support/browser.ts'

const net = inject('wisp')
let browser: Browser
let context: BrowserContext
let page: Page

interface TaskArg {
  proofOfTask: string
  data: string
  taskDefinitionId: number
  performer: `0x${string}`
}
type Verdict = { kind: string; reason?: string }

function validate(tasks: TaskArg[]): Promise<Verdict[]> {
  return page.evaluate(
    (t) =>
      (
        window as unknown as { __wispTest: { validateMany(x: unknown): Promise<Verdict[]> } }
      ).__wispTest.validateMany(t),
    tasks,
  )
}

async function addPlugin(spec: { path: string; sha256: string }) {
  await page.locator('details.add-plugin summary').click()
  await page.getByTestId('plugin-url').fill(new URL(spec.path, net.webUrl).href)
  await page.getByTestId('plugin-sha256').fill(spec.sha256)
  await page.getByTestId('plugin-config').fill('{"note":"from the test"}')
  await page.getByTestId('plugin-add').click()
}

const echo = (text: string, proof = text): TaskArg => ({
  proofOfTask: proof,
  data: toHex(text),
  taskDefinitionId: 77,
  performer: net.performerAddress,
})

beforeAll(async () => {
  browser = await launchChromium()
  context = await browser.newContext()
  await observeLongTasks(context)
  page = await openApp(context, net.webUrl, 'plugins')
  await createKey(page)
  await registerAndRun(page)
})

afterAll(async () => {
  await browser?.close()
})

describe('plugins in the plugin worker', () => {
  it('refuses a URL plugin whose content hash differs from the pin', async () => {
    const wrong = {
      ...net.fixtures.echo,
      sha256: net.fixtures.echo.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    }
    await addPlugin(wrong)
    const w = await waitForWisp(page, "w.status?.phase === 'running' && w.status.pluginFailures.length > 0")
    expect(w.status!.pluginFailures[0]).toMatchObject({ code: 'ENGINE_PLUGIN_LOAD_FAILED' })
    expect(w.status!.pluginFailures[0]!.message).toContain('content hash mismatch')
    expect(w.status!.plugins.map((p) => p.id)).toEqual(['@wisp/plugin-hash-chain'])
    await page.getByTestId('plugin-failure').waitFor()
    // the refused module never ran: its task definition has no validator
    expect(await validate([echo('hello')])).toEqual([
      { kind: 'abstain', reason: 'no plugin serves task definition 77' },
    ])
  })

  it('loads a pinned URL plugin and validates with it', async () => {
    await addPlugin(net.fixtures.echo)
    const w = await waitForWisp(
      page,
      "w.status?.phase === 'running' && w.status.plugins.some((p) => p.id === 'echo-plugin')",
    )
    expect(w.status!.plugins.find((p) => p.id === 'echo-plugin')).toMatchObject({
      source: 'url',
      sha256: net.fixtures.echo.sha256,
      taskDefinitionIds: [77],
    })
    expect(await validate([echo('hello'), echo('hello', 'bye')])).toEqual([
      { kind: 'approve' },
      { kind: 'reject', reason: 'not an echo' },
    ])
  })

  it('validates a burst of 100 tasks without a long task on the page', async () => {
    const tasks: TaskArg[] = Array.from({ length: 100 }, (_, i) => {
      if (i % 5 === 4) return echo(`burst ${i}`)
      const seed = stringToBytes(`burst:${i}`)
      return {
        proofOfTask: i % 10 === 3 ? `0x${'11'.repeat(32)}` : hashChain(seed, net.iterations),
        data: bytesToHex(seed),
        taskDefinitionId: net.definitionId,
        performer: net.performerAddress,
      }
    })
    const mainThread = await watchLongTasks(browser, page)
    const started = Date.now()
    const verdicts = await validate(tasks)
    const ms = Date.now() - started
    verdicts.forEach((v, i) => {
      expect(v.kind, `task ${i}`).toBe(i % 10 === 3 ? 'reject' : 'approve')
    })
    await mainThread.check(`a ${ms} ms burst`)
  })

  it('stops a plugin that blocks its worker at the deadline; the page never notices', async () => {
    await addPlugin(net.fixtures.busy)
    await waitForWisp(
      page,
      "w.status?.phase === 'running' && w.status.plugins.some((p) => p.id === 'busy-plugin')",
    )
    const mainThread = await watchLongTasks(browser, page)
    const started = Date.now()
    // the busy plugin blocks for 60 s; the deadline is 3 s (+1 s grace), then the worker is replaced
    const [stuck, meanwhile] = await Promise.all([
      validate([{ ...echo('x'), taskDefinitionId: 78 }]),
      // the page keeps answering while the plugin worker is blocked
      (async () => {
        await new Promise((r) => setTimeout(r, 500))
        const t = Date.now()
        await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))))
        return Date.now() - t
      })(),
    ])
    const took = Date.now() - started
    expect(stuck[0]!.kind).toBe('abstain')
    expect(stuck[0]!.reason).toMatch(/PLUGIN_TIMEOUT/)
    expect(took).toBeGreaterThanOrEqual(3000)
    expect(took).toBeLessThan(15_000)
    expect(meanwhile).toBeLessThan(1000)
    // a fresh worker reloaded the plugins: the others still work
    expect(await validate([echo('still here')])).toEqual([{ kind: 'approve' }])
    const w = await waitForWisp(page, 'w.status.pluginStats.restarts >= 1')
    expect(w.status!.logs.some((l) => l.message.includes('plugin worker restarted'))).toBe(true)
    await mainThread.check()
  })
})
