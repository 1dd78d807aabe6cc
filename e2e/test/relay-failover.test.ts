// Light peers that move between relays (issue 14 §2), on real parts: the devnet (anvil, our
// contracts, its relay, Node performer / aggregator / attester), two more relays in this process
// (validating against the chain like the devnet's), and one browser attester in real Chromium
// whose config lists only those two relays with `p2p.relayTarget: 1` — so when its relay dies it
// has no connection left until it moves to the other one. The Node operators dial every relay, so
// gossip reaches the browser whichever relay it is on (no relay federation needed).
// Voting powers make every task need the browser's vote: Node attester 10, browser 10, performer
// 10 (does not attest) → 20 of 30 to approve.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInlineVerifier } from '@wisp/bls'
import { createChainDirectory } from '@wisp/chain'
import { type Devnet, startDevnet, waitForMesh } from '@wisp/devnet'
import { createConsoleLogger } from '@wisp/node'
import type { WispNetwork } from '@wisp/p2p'
import { createRelay } from '@wisp/p2p/node'
import { launchChromium, waitFor } from '@wisp/test-utils'
import type { Browser, Page } from 'playwright-core'
import { createPublicClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createKey,
  forwardConsole,
  registerAndRun,
  unlock,
  waitForRunning,
  waitForWisp,
  wisp,
} from './support/browser.ts'
import { AggregatorRecord } from './support/network.ts'

const ring: string[] = []
const log = (line: string) => {
  if (process.env.WISP_E2E_LOG) process.stderr.write(`${line}\n`)
  ring.push(line)
  if (ring.length > 300) ring.splice(0, 100)
}

let dataDir: string
let devnet: Devnet
let aggregator: AggregatorRecord
let browser: Browser
let page: Page
const relays = new Map<string, { network: WispNetwork; address: string }>()
let browserOperatorId: number
let browserPeerId: string

/** A page config: the devnet's, with another relay list. */
const configWith = (bootstrap: string[]) => ({
  ...devnet.networkConfig,
  p2p: { ...devnet.networkConfig.p2p, bootstrap, relayTarget: 1 },
})

async function openWithConfig(name: string, bootstrap: string[]) {
  const path = `/e2e-${name}.json`
  await page.route(`**${path}`, (route) => route.fulfill({ json: configWith(bootstrap) }))
  await page.goto(`${devnet.info.web}?test=1&config=${encodeURIComponent(path)}`)
  await waitForWisp(page, "w.view === 'onboarding' || w.view === 'unlock'")
}

/** The relays (of the two extra ones) the browser holds a direct connection to, from its status. */
async function browserRelays(): Promise<string[]> {
  const w = await wisp(page)
  return (w.status?.p2p.peers ?? [])
    .filter((p) => relays.has(p.peerId) && !p.limited)
    .map((p) => p.peerId)
    .sort()
}

/** The light peer's persisted store, read straight from the page's IndexedDB. */
function storedPeers(
  key: string,
): Promise<{ relays: Array<{ address: string; lastGoodAt: number }> } | undefined> {
  return page.evaluate(async (k) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('wisp-web')
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    try {
      const value = await new Promise<unknown>((resolve, reject) => {
        const r = db.transaction('kv').objectStore('kv').get(k)
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      return value === undefined ? undefined : JSON.parse(new TextDecoder().decode(value as Uint8Array))
    } finally {
      db.close()
    }
  }, key)
}

async function perform() {
  const published = await devnet.performer.engine.performer!.performOnce(devnet.taskDefinitions.hashChain)
  return published.taskHash
}

/** Submitted on chain with the browser among the attesters: its vote reached the aggregator. */
async function browserVotedOn(taskHash: `0x${string}`) {
  const sent = await aggregator.submitted(taskHash, 90_000)
  expect(sent.event).toBe('TaskSubmitted')
  expect(sent.attesterIds).toContain(browserOperatorId)
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'wisp-e2e-failover-'))
  devnet = await startDevnet(
    {
      dataDir,
      ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
      web: true,
      schedule: false,
      attesterPowers: [10],
      performerPower: 10,
      spareOperators: 0,
      hashChainIterations: 100,
      aggregatorDelayMs: 500,
      blockTimeSeconds: 0.25,
    },
    { logger: createConsoleLogger({ level: 'warn', write: log }), print: log },
  )
  aggregator = new AggregatorRecord(devnet.aggregator)
  const publicClient = createPublicClient({ transport: http(devnet.info.rpcUrl), pollingInterval: 250 })
  const chain = createChainDirectory(
    { attestationCenter: devnet.info.attestationCenter, outcomeWindowMs: 2000 },
    { publicClient },
  )
  const nodes = [devnet.performer, devnet.aggregator, ...devnet.attesters]
  for (let i = 0; i < 2; i++) {
    const network = await createRelay(
      {
        listen: ['/ip4/127.0.0.1/tcp/0/ws'],
        deployments: [{ chainId: devnet.info.chainId, attestationCenter: devnet.info.attestationCenter }],
      },
      { directory: chain, definitions: chain, outcomes: chain, verifier: createInlineVerifier() },
    )
    const address = network.getMultiaddrs().find((a) => a.includes('/ws/'))!
    relays.set(network.peerId, { network, address })
    // every Node operator on every relay: gossip reaches a light peer on either
    for (const n of nodes) await n.network.dial(address)
    await waitForMesh(
      network,
      nodes.map((n) => n.network.peerId),
    )
  }

  browser = await launchChromium()
  const context = await browser.newContext()
  page = await context.newPage()
  forwardConsole(page, 'browser', log)
  await openWithConfig(
    'two-relays',
    [...relays.values()].map((r) => r.address),
  )
  await createKey(page)
  const w = await registerAndRun(page, { timeoutMs: 120_000 })
  browserOperatorId = w.status!.operator.operatorId!
  browserPeerId = w.status!.p2p.peerId!
}, 300_000)

afterAll(async () => {
  await browser?.close()
  for (const r of relays.values()) await r.network.stop().catch(() => undefined)
  await devnet?.stop()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

describe('a browser attester whose relay dies', () => {
  let killedAddress: string
  let survivor: string

  it('holds one relay (relayTarget 1) and attests through it', async () => {
    const held = await waitForRelays((ids) => ids.length === 1)
    expect(held).toHaveLength(1)
    const relay = relays.get(held[0]!)!.network
    await waitForMesh(relay, [browserPeerId])
    await browserVotedOn(await perform())
  }, 120_000)

  it('moves to the other relay and keeps attesting: a task after the kill gets its vote', async () => {
    const [current] = await browserRelays()
    survivor = [...relays.keys()].find((id) => id !== current)!
    killedAddress = relays.get(current!)!.address
    const killedAt = Date.now()
    await relays.get(current!)!.network.stop()
    relays.delete(current!)
    await waitForRelays((ids) => ids.length === 1 && ids[0] === survivor)
    const movedMs = Date.now() - killedAt
    await waitForMesh(relays.get(survivor)!.network, [browserPeerId])
    // the dashboard says why the relay changed
    await waitForWisp(page, "w.status.logs.some((l) => l.message.includes('moved to another'))")
    // WebRTC still reachable: the page's circuit reservation moved to the surviving relay
    await waitForWisp(page, `(w.status.p2p.webrtcAddress ?? '').includes('/p2p/${survivor}/p2p-circuit')`)
    await browserVotedOn(await perform())
    process.stderr.write(
      `[e2e] relay killed → browser on the other relay in ${movedMs} ms (status polled every 250 ms); a task voted on ${Date.now() - killedAt} ms after the kill\n`,
    )
  }, 120_000)

  it('a reloaded page whose config lists only the dead relay reconnects from its persisted peer store', async () => {
    const key = `p2p/peer-store/${devnet.info.chainId}/${devnet.networkConfig.network.name}`
    const survivorAddress = relays.get(survivor)!.address
    // the store has the survivor with the time it last answered (written within a second)
    await waitFor(
      'the survivor in the persisted peer store',
      async () =>
        (await storedPeers(key))?.relays.some((r) => r.address === survivorAddress && r.lastGoodAt > 0) ===
        true,
      { timeoutMs: 30_000, intervalMs: 250 },
    )

    await openWithConfig('dead-relay-only', [killedAddress])
    await unlock(page)
    const w = await waitForRunning(page, { timeoutMs: 120_000 })
    expect(await browserRelays()).toEqual([survivor])
    // a page's peer id is new on each load
    await waitForMesh(relays.get(survivor)!.network, [w.status!.p2p.peerId!])
    await browserVotedOn(await perform())
  }, 180_000)
})

async function waitForRelays(probe: (ids: string[]) => boolean): Promise<string[]> {
  return waitFor(
    'the browser on the expected relays',
    async () => {
      const ids = await browserRelays()
      return probe(ids) && ids
    },
    { timeoutMs: 60_000, intervalMs: 250, context: () => ring.slice(-30).join('\n') },
  )
}
