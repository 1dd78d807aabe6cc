// The gossipsub patch (patches/@libp2p+gossipsub+*.patch) over real libp2p on loopback: a peer whose
// outbound gossipsub stream to its relay fails to open, or is reset by the relay, opens it again
// while the connection lasts. Unpatched, gossipsub logged the failure and left that peer without
// its subscriptions and its messages at the relay for the life of the connection: connected, yet
// deaf and mute (seen as 18 of 1 000 light peers never subscribed on a loaded machine).

import type { Connection } from '@libp2p/interface'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Cluster, startCluster } from './support/cluster.js'
import { makeOperators, makeTask } from './support/fixtures.js'
import { waitFor } from './support/wait.js'

const operators = makeOperators(2, 'wisp-stream-retry')
let cluster: Cluster

beforeAll(async () => {
  cluster = await startCluster({ operators, peers: 0, options: { topicNamespace: 'wisp-stream-retry' } })
}, 60_000)
afterAll(async () => {
  await cluster?.stop()
})

const isGossip = (protocols: string | string[]) =>
  [protocols].flat().some((p) => p.startsWith('/meshsub/') || p.startsWith('/floodsub/'))

it('a failed outbound stream is opened again: the relay learns the subscriptions, messages flow', async () => {
  const { relay } = cluster
  // the first gossipsub stream the peer opens fails, as a negotiation that timed out would; the
  // cluster waits until the peer and the relay have each other in their meshes
  let failed = 0
  const peer = await cluster.addPeer({}, {}, (p) => {
    p.libp2p.addEventListener('connection:open', ({ detail: connection }: CustomEvent<Connection>) => {
      const newStream = connection.newStream.bind(connection)
      connection.newStream = (async (protocols: string | string[], options?: object) => {
        if (isGossip(protocols) && failed === 0) {
          failed++
          throw new Error('negotiation timed out (test)')
        }
        return newStream(protocols, options)
      }) as Connection['newStream']
    })
  })
  expect(failed).toBe(1)
  expect(relay.topicPeers('task')).toContain(peer.peerId)

  // the relay resets the stream it reads the peer from: the peer opens another one
  const toPeer = relay.libp2p.getConnections().find((c) => c.remotePeer.toString() === peer.peerId)!
  const inbound = toPeer.streams.find((s) => s.direction === 'inbound' && isGossip(s.protocol ?? ''))!
  expect(inbound).toBeDefined()
  inbound.abort(new Error('reset (test)'))
  // gossipsub keeps its streams by peer id (not in its published type)
  const pubsub = peer.libp2p.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> }
  await waitFor('the outbound stream to go', () => !pubsub.streamsOutbound.has(relay.peerId), {
    timeoutMs: 5_000,
  })
  await waitFor('a new outbound stream', () => pubsub.streamsOutbound.has(relay.peerId), {
    timeoutMs: 10_000,
  })
  // and what the peer publishes reaches the relay again
  const got: string[] = []
  relay.onMessage('task', (r) => got.push(r.message.proofOfTask))
  await waitFor('the mesh with the relay', () => peer.meshPeers('task').includes(relay.peerId), {
    timeoutMs: 10_000,
  })
  await peer.publish('task', await makeTask(operators[0]!, { proofOfTask: 'after-reset' }))
  await waitFor('the task at the relay', () => got.includes('after-reset'), { timeoutMs: 5_000 })
}, 60_000)
