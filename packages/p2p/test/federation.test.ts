// Relays that form one network (federation.ts): a peer on relay A and one on relay B exchange
// gossip on every topic and on the browsers' discovery topic; a relay started later, given only
// A's address, is found by B through its announcement; a relay at its connection limit refuses a
// new peer with a clear log line (load-shedding.ts). Real libp2p over loopback WebSockets.
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { webRTCDiscoveryTopic } from '../src/browser/discovery.js'
import { parseAnnouncement, relayAnnouncementTopic } from '../src/node/federation.js'
import {
  createNodePeer,
  createPrometheusMetrics,
  createRelay,
  type Logger,
  type PartialNetworkOptions,
  type WispNetwork,
} from '../src/node/index.js'
import { allows, REFUSED_CONNECTIONS_METRIC } from '../src/node/load-shedding.js'
import type { WispRelay } from '../src/node/relay.js'
import { waitForFederated, waitForMesh } from './support/cluster.js'
import {
  DEPLOYMENT,
  definitions,
  directoryOf,
  makeAttestation,
  makeOperators,
  makeTask,
  makeTaskSubmitted,
} from './support/fixtures.js'
import { nextMessage, waitFor } from './support/wait.js'

const NS = 'wisp-federation'
const common: PartialNetworkOptions = { deployments: [DEPLOYMENT], topicNamespace: NS }
const operators = makeOperators(2, 'wisp-federation')
const [performer, attester] = operators as [(typeof operators)[0], (typeof operators)[0]]
const LOCAL_WS = ['/ip4/127.0.0.1/tcp/0/ws']
const relayIdNobodyHas = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function recordingLogger() {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = []
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, fields })
    }
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  }
  return { logger, lines }
}

describe('relay federation', () => {
  let verifier: BlsVerifier
  const relays: WispRelay[] = []
  const peers: WispNetwork[] = []
  let relayA: WispRelay
  let relayB: WispRelay
  let peerA: WispNetwork
  let peerB: WispNetwork

  const components = () => ({ verifier, directory: directoryOf(operators), definitions: definitions() })
  const startPeer = async (relay: WispRelay) => {
    const address = relay.getMultiaddrs()[0]!
    const peer = await createNodePeer({ ...common, bootstrap: [address] }, components())
    peers.push(peer)
    await waitForMesh(relay, peer)
    return peer
  }

  beforeAll(async () => {
    verifier = createInlineVerifier()
    relayA = await createRelay({ ...common, listen: LOCAL_WS }, components())
    relays.push(relayA)
    // B is configured with A; A is configured with nobody and learns of B from its announcement
    relayB = await createRelay(
      { ...common, listen: LOCAL_WS, peers: [relayA.getMultiaddrs()[0]!] },
      components(),
    )
    relays.push(relayB)
    await waitForFederated(relayA, relayB)
    peerA = await startPeer(relayA)
    peerB = await startPeer(relayB)
  })

  afterAll(async () => {
    await Promise.all(peers.map((p) => p.stop()))
    await Promise.all(relays.map((r) => r.stop()))
    await verifier?.close()
  })

  it('carries every topic between a peer on relay A and one on relay B, both ways', async () => {
    // the peers are connected only to their own relay
    expect(peerA.connections().map((c) => c.peerId)).toEqual([relayA.peerId])
    expect(peerB.connections().map((c) => c.peerId)).toEqual([relayB.peerId])

    const task = await makeTask(performer, { proofOfTask: 'federation-1' })
    const gotTask = nextMessage(peerB, 'task', (r) => r.message.proofOfTask === 'federation-1')
    await peerA.publish('task', task)
    expect((await gotTask).from).toBe(peerA.peerId)

    const gotVote = nextMessage(peerA, 'attestation', (r) => r.message.proofOfTask === 'federation-1')
    await peerB.publish('attestation', makeAttestation(task, attester))
    expect((await gotVote).message.attester.address).toBe(attester.info.address)

    const submitted = makeTaskSubmitted(task, [1, 2])
    const gotSubmitted = nextMessage(peerB, 'taskSubmitted', (r) => r.message.taskId === submitted.taskId)
    await peerA.publish('taskSubmitted', submitted)
    expect((await gotSubmitted).message.txHash).toBe(submitted.txHash)

    const gotCustom = nextMessage(peerA, 'customMessage', (r) => r.message.data === '0xfede')
    await peerB.publish('customMessage', { data: '0xfede' })
    expect((await gotCustom).from).toBe(peerB.peerId)
  })

  it("carries the browsers' discovery topic across relays", async () => {
    const topic = webRTCDiscoveryTopic(NS)
    const pubA = peerA.libp2p.services.pubsub
    const pubB = peerB.libp2p.services.pubsub
    pubA.subscribe(topic)
    pubB.subscribe(topic)
    await waitFor('discovery subscriptions reach the relays', () =>
      [
        relayA.libp2p.services.pubsub.getSubscribers(topic),
        relayB.libp2p.services.pubsub.getSubscribers(topic),
      ]
        .map((subs) => subs.map((p) => p.toString()))
        .every((subs, i) => subs.includes([peerA, peerB][i]!.peerId)),
    )
    const body = new TextEncoder().encode(JSON.stringify({ relays: [relayB.peerId] }))
    const received = new Promise<Uint8Array>((resolve) => {
      const on = (evt: CustomEvent<{ topic: string; data: Uint8Array }>) => {
        if (evt.detail.topic !== topic) return
        pubA.removeEventListener('message', on as never)
        resolve(evt.detail.data)
      }
      pubA.addEventListener('message', on as never)
    })
    // a page may announce before the mesh forms: publish until it arrives
    const until = received.then(() => true)
    await waitFor('discovery announcement from B reaches A', async () => {
      await pubB.publish(topic, body).catch(() => undefined)
      return Promise.race([until, new Promise<false>((r) => setTimeout(() => r(false), 250))])
    })
    expect(toHex(await received)).toBe(toHex(body))
  })

  it('finds a relay started later that knows only relay A, through its announcement', async () => {
    const relayC = await createRelay(
      { ...common, listen: LOCAL_WS, peers: [relayA.getMultiaddrs()[0]!] },
      components(),
    )
    relays.push(relayC)
    // B was never told about C: it dials C after C's announcement crossed A
    await waitForFederated(relayB, relayC)
    await waitForFederated(relayA, relayC)
    expect(relayB.federation.relays().sort()).toEqual([relayA.peerId, relayC.peerId].sort())

    const peerC = await startPeer(relayC)
    const task = await makeTask(performer, { proofOfTask: 'federation-late' })
    const got = nextMessage(peerC, 'task', (r) => r.message.proofOfTask === 'federation-late')
    await peerB.publish('task', task)
    expect((await got).from).toBe(peerB.peerId)
  })
})

describe('relay allow list', () => {
  it('a relay with allowRelays ignores the announcement of a relay not on it', async () => {
    const closed = await createRelay({ ...common, listen: LOCAL_WS, allowRelays: [relayIdNobodyHas] })
    const heard = new Promise<string>((resolve) => {
      closed.libp2p.services.pubsub.addEventListener('message', (evt) => {
        if (evt.detail.topic === relayAnnouncementTopic(NS) && evt.detail.type === 'signed') {
          resolve(evt.detail.from.toString())
        }
      })
    })
    const outsider = await createRelay({ ...common, listen: LOCAL_WS, peers: [closed.getMultiaddrs()[0]!] })
    try {
      // the closed relay's own handler ran before this later listener
      expect(await heard).toBe(outsider.peerId)
      expect(closed.federation.relays()).toEqual([])
      expect(outsider.federation.relays()).toEqual([closed.peerId])
    } finally {
      await outsider.stop()
      await closed.stop()
    }
  })
})

describe('relay announcements', () => {
  const from = '12D3KooWGRUVh3aPj7D4b8NrnMkCHVHZw4eYhDjw8Y8xSbHfSH8c'

  it('accepts a relay announcing its own addresses and names it in each', () => {
    const data = new TextEncoder().encode(JSON.stringify({ addrs: ['/ip4/10.0.0.1/tcp/9090/ws'] }))
    expect(parseAnnouncement(data, from)).toEqual([`/ip4/10.0.0.1/tcp/9090/ws/p2p/${from}`])
  })

  it("refuses another peer's addresses, circuits, junk and oversized lists", () => {
    const other = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v))
    expect(parseAnnouncement(enc({ addrs: [`/ip4/10.0.0.1/tcp/1/ws/p2p/${other}`] }), from)).toBeUndefined()
    expect(
      parseAnnouncement(enc({ addrs: [`/ip4/10.0.0.1/tcp/1/ws/p2p/${other}/p2p-circuit`] }), from),
    ).toBeUndefined()
    expect(parseAnnouncement(enc({ addrs: ['not a multiaddr'] }), from)).toBeUndefined()
    expect(parseAnnouncement(enc({ addrs: [] }), from)).toBeUndefined()
    expect(parseAnnouncement(enc({ addrs: Array(9).fill('/ip4/10.0.0.1/tcp/1') }), from)).toBeUndefined()
    expect(parseAnnouncement(new TextEncoder().encode('{'), from)).toBeUndefined()
    expect(relayAnnouncementTopic('othentic')).toBe('othentic.wisp-relays')
  })
})

describe('relay load shedding', () => {
  it('reads allow entries as libp2p does: IPv4 ranges, else prefixes', () => {
    expect(allows('/ip4/127.0.0.1/ipcidr/32', '/ip4/127.0.0.1/tcp/5000/ws')).toBe(true)
    expect(allows('/ip4/127.0.0.1/ipcidr/32', '/ip4/127.0.0.2/tcp/5000/ws')).toBe(false)
    expect(allows('/ip4/10.0.0.0/ipcidr/8', '/ip4/10.200.3.4/tcp/1')).toBe(true)
    expect(allows('/ip4/10.0.0.0/ipcidr/8', '/ip4/11.0.0.1/tcp/1')).toBe(false)
    expect(allows('/ip4/127.0.0.1', '/ip4/127.0.0.1/tcp/5000/ws')).toBe(true)
    expect(allows('/ip4/10.0.0.0/ipcidr/8', '/ip6/::1/tcp/1')).toBe(false)
  })

  it('refuses a new peer at the connection limit with one clear warning and a metric; relay links do not count', async () => {
    const { logger, lines } = recordingLogger()
    const metrics = createPrometheusMetrics()
    const other = await createRelay({ ...common, listen: LOCAL_WS })
    const relay = await createRelay(
      { ...common, listen: LOCAL_WS, maxConnections: 1, peers: [other.getMultiaddrs()[0]!] },
      { logger, metrics },
    )
    const address = relay.getMultiaddrs()[0]!
    const first = await createNodePeer(common)
    const second = await createNodePeer(common)
    try {
      await waitForFederated(relay, other)
      await first.dial(address)
      await waitFor('first peer connected', () => relay.connections().some((c) => c.peerId === first.peerId))
      const refused = await second.dial(address).then(
        () => undefined,
        (err: { code?: string; cause?: Error }) => err,
      )
      expect(refused?.code).toBe('P2P_DIAL_FAILED')
      // a refused client sees its socket closed before the handshake (libp2p: "Unexpected EOF")
      expect(refused?.cause).toBeInstanceOf(Error)
      expect(relay.refusedConnections()).toBe(1)
      const warnings = lines.filter((l) => l.message === 'at the connection limit: refusing new connections')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.fields).toMatchObject({ maxConnections: 1 })
      const scraped = await metrics.registry.getSingleMetricAsString(REFUSED_CONNECTIONS_METRIC)
      expect(scraped).toContain(`${REFUSED_CONNECTIONS_METRIC} 1`)
      // the first peer and the link to the other relay are unaffected
      expect(
        relay
          .connections()
          .map((c) => c.peerId)
          .sort(),
      ).toEqual([first.peerId, other.peerId].sort())
      expect(relay.federation.connected()).toEqual([other.peerId])

      // room again once the first peer leaves
      await first.stop()
      await waitFor('first peer gone', () => !relay.connections().some((c) => c.peerId === first.peerId))
      await second.dial(address)
      await waitFor('second peer connected', () =>
        relay.connections().some((c) => c.peerId === second.peerId),
      )
      expect(lines.some((l) => l.message === 'below the connection limit again: accepting connections')).toBe(
        true,
      )
    } finally {
      await first.stop()
      await second.stop()
      await relay.stop()
      await other.stop()
    }
  })
})
