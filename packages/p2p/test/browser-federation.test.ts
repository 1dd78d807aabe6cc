// Two federated relays, a real headless Chromium page on each (separate browser contexts): the
// pages gossip across the relays, and open a direct WebRTC connection although they sit on
// different relays. libp2p's WebRTC signalling runs over a circuit through the relay that holds the
// *listener's* reservation (circuit relay v2 has no multi-hop), so the dialling page connects to
// that relay itself, on demand, from the address `/…/p2p/<relay A>/p2p-circuit/webrtc/p2p/<page>`:
// the two pages need no relay in common beforehand, only the listener's relay address.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '@wisp/test-utils'
import type { Browser, Page } from 'playwright-core'
import { toHex } from 'viem'
import { build, type PreviewServer, preview } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sourceConditions } from '../../../vite.config.ts'
import { createNodePeer, createRelay, type WispRelay } from '../src/node/index.js'
import { waitFor } from './support/wait.js'

const NAMESPACE = 'wisp-browser-federation'
const root = fileURLToPath(new URL('./browser/page', import.meta.url))
const outDir = mkdtempSync(join(tmpdir(), 'wisp-p2p-fed-page-'))

interface PageApi {
  start(p: { relay: string; namespace: string }): Promise<string>
  webRTCAddress(): string | undefined
  dialWebRTC(relay: string, peerId: string): Promise<{ ok: boolean; ms: number; error?: string }>
  connections(): Array<{ peerId: string; remoteAddr: string; limited: boolean }>
  publishCustom(data: string): Promise<{ recipients: number }>
  receivedData(): string[]
}

/** Calls `window.wisp[method](...args)` in the page. */
function call<K extends keyof PageApi>(
  page: Page,
  method: K,
  ...args: Parameters<PageApi[K]>
): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return page.evaluate(
    ([m, a]) => {
      const api = (window as unknown as { wisp: Record<string, (...x: unknown[]) => unknown> }).wisp
      return api[m]!(...a)
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<PageApi[K]>>>
}

let server: PreviewServer
let browser: Browser
const relays: WispRelay[] = []
const addresses: string[] = []
const pages: Page[] = []
const ids: string[] = []

beforeAll(async () => {
  await build({
    root,
    logLevel: 'error',
    resolve: { conditions: sourceConditions },
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  })
  server = await preview({
    root,
    logLevel: 'error',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1' },
  })
  const relayA = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: NAMESPACE })
  relays.push(relayA)
  addresses.push(relayA.getMultiaddrs()[0]!)
  const relayB = await createRelay({
    listen: ['/ip4/127.0.0.1/tcp/0/ws'],
    topicNamespace: NAMESPACE,
    peers: [addresses[0]!],
  })
  relays.push(relayB)
  addresses.push(relayB.getMultiaddrs()[0]!)
  await waitFor(
    'the relays federated',
    () =>
      relayA.federation.connected().includes(relayB.peerId) &&
      relayB.federation.connected().includes(relayA.peerId),
  )
  browser = await launchChromium()
  for (let i = 0; i < 2; i++) {
    const page = await (await browser.newContext()).newPage()
    page.on('console', (msg) => {
      if (msg.type() === 'error') process.stderr.write(`[page ${i}] ${msg.text()}\n`)
    })
    await page.goto(server.resolvedUrls!.local[0]!)
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
    pages.push(page)
  }
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await Promise.all(relays.map((r) => r.stop()))
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()))
  rmSync(outDir, { recursive: true, force: true })
})

async function received(page: Page, data: string, what: string) {
  await waitFor(what, async () => (await call(page, 'receivedData')).includes(data), { timeoutMs: 20_000 })
}

describe('browsers on two federated relays', () => {
  it('gossip across the relays', async () => {
    // page 0 on relay A, page 1 on relay B
    for (const [i, page] of pages.entries()) {
      ids.push(await call(page, 'start', { relay: addresses[i]!, namespace: NAMESPACE }))
    }
    const [a, b] = pages as [Page, Page]
    await waitFor('each page in its own relay mesh', () =>
      ids.every((id, i) => relays[i]!.meshPeers('customMessage').includes(id)),
    )
    for (const [i, page] of pages.entries()) {
      expect((await call(page, 'connections')).map((c) => c.peerId)).toEqual([relays[i]!.peerId])
    }
    await call(a, 'publishCustom', toHex('from relay A'))
    await received(b, toHex('from relay A'), 'page on A → page on B')
    await call(b, 'publishCustom', toHex('from relay B'))
    await received(a, toHex('from relay B'), 'page on B → page on A')
  })

  it("open WebRTC across relays: the dialler reaches the listener's relay for signalling", async () => {
    const [a, b] = pages as [Page, Page]
    await waitFor('page A reachable through its reservation on relay A', () => call(a, 'webRTCAddress'))
    const result = await call(b, 'dialWebRTC', addresses[0]!, ids[0]!)
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true })
    const direct = (await call(a, 'connections')).filter(
      (c) => c.peerId === ids[1] && c.remoteAddr.includes('/webrtc') && !c.limited,
    )
    expect(direct).toHaveLength(1)
    // page B opened a connection to relay A for the signalling, beside its own relay
    const relaysOfB = (await call(b, 'connections')).map((c) => c.peerId)
    expect(relaysOfB).toEqual(expect.arrayContaining([relays[0]!.peerId, relays[1]!.peerId]))
  })

  it('a page dialling a relay at its connection limit is refused, then joins another relay', async () => {
    const full = await createRelay({
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      topicNamespace: NAMESPACE,
      maxConnections: 1,
    })
    relays.push(full)
    const occupant = await createNodePeer({ topicNamespace: NAMESPACE })
    try {
      await occupant.dial(full.getMultiaddrs()[0]!)
      await waitFor('the full relay holds its one inbound connection', () =>
        full.connections().some((c) => c.peerId === occupant.peerId),
      )
      const page = await (await browser.newContext()).newPage()
      await page.goto(server.resolvedUrls!.local[0]!)
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
      const refused = await page.evaluate(
        async ([relay, ns]) => {
          const api = (window as unknown as { wisp: { start(p: unknown): Promise<string> } }).wisp
          try {
            await api.start({ relay, namespace: ns })
            return undefined
          } catch (err) {
            const e = err as { code?: string; message?: string; cause?: { message?: string } }
            return { code: e.code, message: e.message, cause: e.cause?.message }
          }
        },
        [full.getMultiaddrs()[0]!, NAMESPACE] as const,
      )
      // what a browser sees: its WebSocket closed during the handshake, as a coded dial failure
      process.stdout.write(`refused page dial: ${JSON.stringify(refused)}\n`)
      expect(refused?.code).toBe('P2P_DIAL_FAILED')
      expect(full.refusedConnections()).toBe(1)
      // another relay takes it
      const id = await call(page, 'start', { relay: addresses[1]!, namespace: NAMESPACE })
      await waitFor('the page joined relay B', () => relays[1]!.connections().some((c) => c.peerId === id))
    } finally {
      await occupant.stop()
    }
  })
})
