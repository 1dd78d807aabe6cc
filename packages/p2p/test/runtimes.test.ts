// The edge peer (WebSocket dial only) against a relay, next to a Node peer. Run in Node with
// the Node polyfills; workerd itself is not exercised here.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createEdgePeer } from '../src/edge/index.js'
import { createNodePeer, createRelay, type WispNetwork } from '../src/node/index.js'
import { nextMessage, waitFor } from './support/wait.js'

const NAMESPACE = 'wisp-runtimes'
let relay: WispNetwork
let edge: WispNetwork
let node: WispNetwork

beforeAll(async () => {
  relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: NAMESPACE })
  const bootstrap = [relay.getMultiaddrs()[0]!]
  // both find the relay through the bootstrap list rather than an explicit dial
  edge = await createEdgePeer({ topicNamespace: NAMESPACE, bootstrap })
  node = await createNodePeer({ topicNamespace: NAMESPACE, bootstrap })
  await waitFor('both peers meshed with the relay', () =>
    [edge, node].every(
      (p) =>
        p.meshPeers('customMessage').includes(relay.peerId) &&
        relay.meshPeers('customMessage').includes(p.peerId),
    ),
  )
})

afterAll(async () => {
  await Promise.all([edge?.stop(), node?.stop()])
  await relay?.stop()
})

it('the edge peer listens on nothing and gossips both ways through the relay', async () => {
  expect(edge.getMultiaddrs()).toEqual([])
  const atNode = nextMessage(node, 'customMessage')
  await edge.publish('customMessage', { data: '0x0e' })
  expect((await atNode).from).toBe(edge.peerId)
  const atEdge = nextMessage(edge, 'customMessage')
  await node.publish('customMessage', { data: '0x0f' })
  expect((await atEdge).message.data).toBe('0x0f')
})

it('a bootstrap peer is redialled after the connection drops', async () => {
  const event = (name: 'peer:disconnect' | 'peer:connect') =>
    new Promise<void>((resolve) =>
      edge.libp2p.addEventListener(name, (e) => e.detail.toString() === relay.peerId && resolve(), {
        once: false,
      }),
    )
  const disconnected = event('peer:disconnect')
  const reconnected = disconnected.then(() => event('peer:connect'))
  await relay.hangUp(edge.peerId)
  await disconnected
  await reconnected
  await waitFor('the edge peer reconnected', () => edge.connections().some((c) => c.peerId === relay.peerId))
})
