// Light peers that move between relays: real relays and real libp2p over loopback WebSockets, the
// edge peer (WebSocket dial only, the same keeper as pages) as the light peer. The Node peer that
// publishes dials every relay, so gossip reaches a light peer on any of them without relays
// meshing with each other.
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  bytesPeerStore,
  createEdgePeer,
  createMemoryPeerStore,
  type LightNetwork,
  parsePersistedPeers,
  relayRank,
  startingRelays,
} from '../src/edge/index.js'
import {
  createNodePeer,
  createRelay,
  type PartialNetworkOptions,
  type WispNetwork,
} from '../src/node/index.js'
import { waitForMesh } from './support/cluster.js'
import { DEPLOYMENT, definitions, directoryOf, makeOperators, makeTask } from './support/fixtures.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(1)
const [op] = operators as [(typeof operators)[0]]
const common: PartialNetworkOptions = { deployments: [DEPLOYMENT], topicNamespace: 'wisp-light-relays' }

describe('relay choice', () => {
  it('spreads peers over the relays: each relay is the first choice of about a quarter of them', async () => {
    const relays = ['R1', 'R2', 'R3', 'R4']
    const firsts = new Map<string, number>()
    for (let i = 0; i < 400; i++) {
      const self = `peer-${i}`
      const first = [...relays].sort((a, b) => (relayRank(self, a) < relayRank(self, b) ? -1 : 1))[0]!
      firsts.set(first, (firsts.get(first) ?? 0) + 1)
    }
    expect([...firsts.keys()].sort()).toEqual(relays)
    // sha256 is deterministic: these counts are fixed; each is within 25 % ± 7 points
    for (const count of firsts.values()) expect(count).toBeGreaterThan(72)
  })

  it('starts from the relays that worked last, most recent first, then the configured ones', () => {
    const id = (c: string) => `12D3KooW${c.repeat(44)}`
    const a = `/ip4/127.0.0.1/tcp/1/ws/p2p/${id('A')}`
    const b = `/ip4/127.0.0.1/tcp/2/ws/p2p/${id('B')}`
    const c = `/ip4/127.0.0.1/tcp/3/ws/p2p/${id('C')}`
    const remembered = {
      v: 1 as const,
      relays: [
        { address: b, lastGoodAt: 10, lastFailedAt: 0 },
        { address: c, lastGoodAt: 20, lastFailedAt: 0 },
      ],
      peers: [],
    }
    expect(startingRelays([a, b], remembered)).toEqual([c, b, a])
  })
})

describe('the persisted peer store', () => {
  const relay = `/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooW${'A'.repeat(44)}`

  it('keeps well-formed records and drops the rest (a store written by another build)', () => {
    expect(parsePersistedPeers(undefined)).toEqual({ v: 1, relays: [], peers: [] })
    expect(parsePersistedPeers({ v: 2, relays: [{ address: relay }] })).toEqual({
      v: 1,
      relays: [],
      peers: [],
    })
    expect(
      parsePersistedPeers({
        v: 1,
        relays: [
          { address: relay, lastGoodAt: 5, lastFailedAt: -1 },
          { address: '/ip4/1.2.3.4/tcp/1/ws', lastGoodAt: 1 },
          { address: 42 },
        ],
        peers: [{ peerId: `12D3KooW${'B'.repeat(44)}`, lastSeenAt: 'soon' }, { peerId: 'not a peer id' }],
      }),
    ).toEqual({
      v: 1,
      relays: [{ address: relay, lastGoodAt: 5, lastFailedAt: 0 }],
      peers: [{ peerId: `12D3KooW${'B'.repeat(44)}`, lastSeenAt: 0 }],
    })
  })

  it('round-trips through a store of bytes under its key', async () => {
    const bytes = new Map<string, Uint8Array>()
    const store = bytesPeerStore(
      { get: async (k) => bytes.get(k), put: async (k, v) => void bytes.set(k, v) },
      'p2p/peer-store',
    )
    expect(await store.load()).toBeUndefined()
    const peers = { v: 1 as const, relays: [{ address: relay, lastGoodAt: 7, lastFailedAt: 3 }], peers: [] }
    await store.save(peers)
    expect([...bytes.keys()]).toEqual(['p2p/peer-store'])
    expect(await store.load()).toEqual(peers)
  })
})

describe('a light peer with several relays', () => {
  let verifier: BlsVerifier
  let nodes: Array<{ stop(): Promise<void> }> = []
  const relays = new Map<string, { network: WispNetwork; address: string }>()

  const startRelay = async () => {
    const network = await createRelay(
      { ...common, listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      { verifier, directory: directoryOf(operators), definitions: definitions() },
    )
    const relay = { network, address: network.getMultiaddrs()[0]! }
    relays.set(network.peerId, relay)
    return relay
  }
  const stopRelay = async (peerId: string) => {
    await relays.get(peerId)?.network.stop()
    relays.delete(peerId)
  }
  const relayIdsOf = (peer: WispNetwork) =>
    peer
      .connections()
      .filter((c) => relays.has(c.peerId) && !c.limited)
      .map((c) => c.peerId)
      .sort()

  beforeAll(() => {
    verifier = createInlineVerifier()
  })
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()))
    await Promise.all([...relays.keys()].map(stopRelay))
    nodes = []
  })
  afterAll(async () => {
    await verifier?.close()
  })

  it('holds the target number of relays and moves to another when one is killed, still receiving gossip', async () => {
    const three = [await startRelay(), await startRelay(), await startRelay()]
    const addresses = three.map((r) => r.address)
    // the publisher: a Node operator connected to every relay
    const publisher = await createNodePeer(common, {
      verifier,
      directory: directoryOf(operators),
      definitions: definitions(),
    })
    nodes.push(publisher)
    for (const r of three) {
      await publisher.dial(r.address)
      await waitForMesh(r.network, publisher)
    }

    const light = await createEdgePeer({ ...common, bootstrap: addresses }, { verifier })
    nodes.push(light)
    // default target: one relay needed plus a spare, never all three
    await waitFor('the light peer on two relays', () => relayIdsOf(light).length === 2)
    expect(light.relays()).toMatchObject({ target: 2, known: 3, switches: 0 })
    expect([...light.relays().connected].sort()).toEqual(relayIdsOf(light))
    const spareLess = three.find((r) => !relayIdsOf(light).includes(r.network.peerId))!
    // the two it chose are its two best by rank
    const ranked = [...three].sort((a, b) =>
      relayRank(light.peerId, a.network.peerId) < relayRank(light.peerId, b.network.peerId) ? -1 : 1,
    )
    expect(ranked[2]).toBe(spareLess)

    const [killed] = light.relays().connected as [string]
    const survivor = relayIdsOf(light).find((id) => id !== killed)!
    await waitForMesh(relays.get(survivor)!.network, light)
    await stopRelay(killed)
    await waitFor('the light peer moved to the third relay', () =>
      relayIdsOf(light).includes(spareLess.network.peerId) ? true : undefined,
    )
    expect(relayIdsOf(light)).toEqual([survivor, spareLess.network.peerId].sort())
    expect(light.relays().switches).toBe(1)

    // still on the network: a task published after the kill arrives (through either relay)
    await waitForMesh(spareLess.network, light)
    const task = await makeTask(op, { proofOfTask: 'ipfs://after-the-relay-died' })
    const arrived = nextMessage(light, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    expect((await publisher.publish('task', task)).recipients).toBeGreaterThan(0)
    expect((await arrived).from).toBe(publisher.peerId)
  }, 40_000)

  it('with a target of one it still fails over: lost relay replaced, gossip flows again', async () => {
    const two = [await startRelay(), await startRelay()]
    const publisher = await createNodePeer(common, {
      verifier,
      directory: directoryOf(operators),
      definitions: definitions(),
    })
    nodes.push(publisher)
    for (const r of two) {
      await publisher.dial(r.address)
      await waitForMesh(r.network, publisher)
    }
    const light: WispNetwork & LightNetwork = await createEdgePeer(
      { ...common, bootstrap: two.map((r) => r.address), relayTarget: 1 },
      { verifier },
    )
    nodes.push(light)
    await waitFor('the light peer on one relay', () => relayIdsOf(light).length === 1)
    const [first] = relayIdsOf(light) as [string]
    const other = two.find((r) => r.network.peerId !== first)!
    expect(relayIdsOf(light)).not.toContain(other.network.peerId)

    const killedAt = Date.now()
    await stopRelay(first)
    await waitFor('the light peer on the other relay', () => relayIdsOf(light)[0] === other.network.peerId)
    const movedMs = Date.now() - killedAt
    expect(light.relays().switches).toBe(1)
    await waitForMesh(other.network, light)
    const task = await makeTask(op, { proofOfTask: 'ipfs://after-failover-target-one' })
    const arrived = nextMessage(light, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    await publisher.publish('task', task)
    expect((await arrived).from).toBe(publisher.peerId)
    console.info(
      `relay killed → light peer on the other relay in ${movedMs} ms, gossip again ${Date.now() - killedAt} ms after the kill`,
    )
  }, 40_000)

  it('reconnects from its persisted peer store when its configured relays are gone', async () => {
    const [r1, r2] = [await startRelay(), await startRelay()]
    const store = createMemoryPeerStore()
    const first = await createEdgePeer(
      { ...common, bootstrap: [r1.address, r2.address] },
      { verifier, peerStore: store },
    )
    await waitFor('the first run on both relays', () => relayIdsOf(first).length === 2)
    await first.stop()
    // what the store kept: both relays, each with the time it last answered
    expect(
      store
        .current()
        ?.relays.map((r) => r.address)
        .sort(),
    ).toEqual([r1.address, r2.address].sort())
    expect(store.current()?.relays.every((r) => r.lastGoodAt > 0)).toBe(true)

    // the next run's configured list names only a relay that no longer exists
    const dead = await startRelay()
    const deadAddress = dead.address
    await stopRelay(dead.network.peerId)
    const second = await createEdgePeer(
      { ...common, bootstrap: [deadAddress] },
      { verifier, peerStore: store },
    )
    nodes.push(second)
    await waitFor('the second run on the remembered relays', () => relayIdsOf(second).length === 2)
    expect(relayIdsOf(second)).toEqual([r1.network.peerId, r2.network.peerId].sort())
    // and it still works: a Node peer on r2 only reaches it
    const publisher = await createNodePeer(common, {
      verifier,
      directory: directoryOf(operators),
      definitions: definitions(),
    })
    nodes.push(publisher)
    await publisher.dial(r2.address)
    await waitForMesh(r2.network, publisher)
    await waitForMesh(r2.network, second)
    const task = await makeTask(op, { proofOfTask: 'ipfs://from-the-peer-store' })
    const arrived = nextMessage(second, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    await publisher.publish('task', task)
    expect((await arrived).from).toBe(publisher.peerId)
  }, 40_000)
})
