// Browser operators (separate contexts) on the page mode connect directly over WebRTC, signalled
// through the relay: by themselves (discovery through the relay's topic), and from the dashboard.
import { launchChromium } from '@wisp/test-utils'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createKey, openApp, registerAndRun, waitForWisp } from './support/browser.ts'

const net = inject('wisp')
let browser: Browser

beforeAll(async () => {
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
})

describe('direct WebRTC between two browser attesters', () => {
  it('find each other through the relay and connect directly by themselves', async () => {
    const [a, b] = await Promise.all(
      ['discovery a', 'discovery b'].map(async (name) => {
        const page = await openApp(await browser.newContext(), net.webUrl, name)
        await createKey(page)
        return page
      }),
    )
    const peerA = (await registerAndRun(a!)).status!.p2p.peerId!
    const peerB = (await registerAndRun(b!)).status!.p2p.peerId!
    // nobody dials: each announces itself once it holds a relay reservation, the smaller id dials
    const direct = (other: string) =>
      `w.status.p2p.peers.some((p) => p.peerId === '${other}' && p.kind === 'webrtc' && !p.limited)`
    await waitForWisp(a!, direct(peerB), { timeoutMs: 60_000 })
    await waitForWisp(b!, direct(peerA), { timeoutMs: 60_000 })
    // the dashboard's dial form was never used
    expect(await a!.getByTestId('dial-result').textContent()).toBe('')
    expect(await b!.getByTestId('dial-result').textContent()).toBe('')
  })

  it('connects from the dashboard and shows the connection on both sides', async () => {
    const [a, b] = await Promise.all(
      ['webrtc a', 'webrtc b'].map(async (name) => {
        const page = await openApp(await browser.newContext(), net.webUrl, name)
        await createKey(page)
        return page
      }),
    )
    const wa = await registerAndRun(a!)
    const wb = await registerAndRun(b!)
    // B needs its relay reservation (its /p2p-circuit/webrtc address) to be reachable
    await waitForWisp(b!, 'w.status.p2p.webrtcAddress !== undefined')
    await a!.getByTestId('dial-peer').fill(wb.status!.p2p.peerId!)
    await a!.getByTestId('dial-submit').click()
    await a!.locator('[data-testid=dial-result][data-ok=true]').waitFor({ timeout: 30_000 })
    const peerA = wa.status!.p2p.peerId!
    const peerB = wb.status!.p2p.peerId!
    await waitForWisp(
      a!,
      `w.status.p2p.peers.some((p) => p.peerId === '${peerB}' && p.kind === 'webrtc' && !p.limited)`,
    )
    await waitForWisp(
      b!,
      `w.status.p2p.peers.some((p) => p.peerId === '${peerA}' && p.kind === 'webrtc' && !p.limited)`,
    )
    await a!.locator(`[data-testid=peer][data-kind=webrtc]`).first().waitFor()
    expect(await a!.getByTestId('dial-result').textContent()).toMatch(/^connected directly in \d+ ms$/)
  })
})
