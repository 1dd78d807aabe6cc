// Two tabs of one operator (same browser profile, same idb): exactly one attests, held by a Web
// Lock; the other says so and mirrors its status; when the first closes, the second takes over.
import { launchChromium } from '@wisp/test-utils'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createKey, forwardConsole, registerAndRun, unlock, waitForWisp, wisp } from './support/browser.ts'
import { sendTask } from './support/tasks.ts'

const net = inject('wisp')
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  browser = await launchChromium()
  context = await browser.newContext()
})

afterAll(async () => {
  await browser?.close()
})

describe('two tabs of one operator', () => {
  it('exactly one attests; the other says so, then takes over when the first closes', async () => {
    const first = await context.newPage()
    forwardConsole(first, 'tab 1')
    await first.goto(`${net.webUrl}?test=1`)
    await waitForWisp(first, "w.view === 'onboarding'")
    await createKey(first)
    const a = await registerAndRun(first)
    expect(a.lock).toBe('held')

    const second = await context.newPage()
    forwardConsole(second, 'tab 2')
    await second.goto(`${net.webUrl}?test=1`)
    await waitForWisp(second, "w.view === 'unlock'")
    await unlock(second)
    const b = await waitForWisp(second, "w.view === 'standby'")
    expect(b.lock).toBe('waiting')
    expect(b.profile?.address).toBe(a.profile?.address)
    await second.getByTestId('standby-banner').waitFor({ state: 'visible' })
    expect(await second.getByTestId('standby-banner').textContent()).toContain('attesting in another tab')
    expect(await second.getByTestId('status-pill').textContent()).toBe('Standby: another tab attests')
    // the standby tab shows the active tab's status (BroadcastChannel), it runs no engine itself
    await waitForWisp(second, `w.status?.p2p.peerId === '${a.status!.p2p.peerId}'`)

    const task = await sendTask(net)
    await waitForWisp(first, `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.vote)`)
    await waitForWisp(second, `w.status?.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.vote)`)
    expect((await wisp(second)).view).toBe('standby')

    // the active tab goes away: the waiting tab gets the lock and starts attesting
    await first.close()
    const taken = await registerAndRun(second)
    expect(taken.lock).toBe('held')
    expect(taken.status!.p2p.peerId).not.toBe(a.status!.p2p.peerId)
    const next = await sendTask(net)
    await waitForWisp(
      second,
      `w.status.tasks.some((t) => t.taskHash === '${next.taskHash}' && t.vote && t.outcome)`,
    )
    // slashing protection and history are shared through idb: the earlier vote is in its history
    await waitForWisp(second, `w.status.history.some((h) => h.taskHash === '${task.taskHash}')`)
  })
})
