// Two browser operators (separate contexts) on the page mode: one connects to the other directly
// over WebRTC from the dashboard (signalled through the relay), both list the direct connection.
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
