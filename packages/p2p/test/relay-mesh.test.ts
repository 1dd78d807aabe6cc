// A relay keeps every leaf in its mesh, even leaves whose own mesh is already full of other
// peers, over real libp2p on loopback. This is the relay restarting under browsers meshed with
// each other over WebRTC: no leaf grafts the relay again (its mesh is above gossipsub's low-water
// mark), so the relay must graft them itself. With gossipsub's defaults (D 6, Dlo 4) it grafted
// four and stopped; the others heard tasks only from their neighbours, or by gossip a heartbeat on.

import { createInlineVerifier } from '@wisp/bls'
import { afterAll, expect, it } from 'vitest'
import { createNodePeer, createRelay, GOSSIP_KINDS, type WispNetwork } from '../src/node/index.js'
import { DEPLOYMENT, definitions, directoryOf, makeOperators } from './support/fixtures.js'
import { waitFor } from './support/wait.js'

const LEAVES = 7
const verifier = createInlineVerifier()
const directory = directoryOf(makeOperators(2, 'wisp-relay-mesh'))
const common = { deployments: [DEPLOYMENT], topicNamespace: 'wisp-relay-mesh' }
const nodes: WispNetwork[] = []

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()))
  await verifier.close()
})

it('a relay grafts every leaf, also leaves whose mesh is already full of other peers', async () => {
  const leaves: WispNetwork[] = []
  for (let i = 0; i < LEAVES; i++) {
    const leaf = await createNodePeer(
      // every leaf dials from 127.0.0.1: above libp2p's 5 inbound a second from one host
      { ...common, listen: ['/ip4/127.0.0.1/tcp/0/ws'], inboundConnectionThreshold: 100 },
      { verifier, directory, definitions: definitions() },
    )
    nodes.push(leaf)
    leaves.push(leaf)
  }
  // the leaves mesh with each other first, as browsers over WebRTC do
  for (const [i, leaf] of leaves.entries()) {
    for (const other of leaves.slice(i + 1)) await leaf.dial(other.getMultiaddrs()[0]!)
  }
  await waitFor('every leaf to have a full mesh of leaves', () =>
    leaves.every((leaf) => GOSSIP_KINDS.every((k) => leaf.meshPeers(k).length >= 4)),
  )

  // then the relay comes (back): it dials them, so it is not an outbound peer a leaf would graft
  // to keep its quota of outbound peers
  const relay = await createRelay(
    { ...common, listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    { verifier, directory, definitions: definitions() },
  )
  nodes.push(relay)
  for (const leaf of leaves) await relay.dial(leaf.getMultiaddrs()[0]!)

  await waitFor(
    'the relay to have every leaf in its mesh of every topic',
    () => GOSSIP_KINDS.every((k) => leaves.every((leaf) => relay.meshPeers(k).includes(leaf.peerId))),
    { timeoutMs: 10_000 },
  )
  // and the leaves took the relay's graft: the relay forwards to them and they to it
  for (const leaf of leaves) {
    for (const k of GOSSIP_KINDS) expect(leaf.meshPeers(k)).toContain(relay.peerId)
  }
}, 60_000)
