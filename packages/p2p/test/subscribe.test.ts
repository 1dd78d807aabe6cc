// options.subscribe over real libp2p on loopback: attesters that leave out the votes topic still
// get their votes to the aggregator through the relay, and no longer receive each other's; the
// node that subscribes to everything (the aggregator) receives them all. Bad kinds are refused.

import type { GossipTopicKind } from '@wisp/protocol'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { resolveNetworkOptions } from '../src/index.js'
import type { WispNetwork } from '../src/node/index.js'
import { type Cluster, startCluster } from './support/cluster.js'
import { makeAttestation, makeOperators, makeTask, type TestOperator } from './support/fixtures.js'
import { waitFor } from './support/wait.js'

const operators = makeOperators(4, 'wisp-subscribe')
const [performer, ...voters] = operators as [TestOperator, ...TestOperator[]]
const WITHOUT_VOTES: GossipTopicKind[] = ['task', 'taskSubmitted', 'customMessage']

let cluster: Cluster
let aggregator: WispNetwork
const attesters: WispNetwork[] = []

beforeAll(async () => {
  cluster = await startCluster({ operators, peers: 0, options: { topicNamespace: 'wisp-subscribe' } })
  aggregator = await cluster.addPeer()
  for (let i = 0; i < voters.length; i++)
    attesters.push(await cluster.addPeer({}, { subscribe: WITHOUT_VOTES }))
}, 60_000)
afterAll(async () => {
  await cluster?.stop()
})

it('votes reach the aggregator through the relay; attesters without the topic receive none', async () => {
  const received = new Map<WispNetwork, string[]>()
  for (const node of [aggregator, ...attesters]) {
    received.set(node, [])
    node.onMessage('attestation', (r) => received.get(node)!.push(r.from))
  }
  const task = await makeTask(performer, { proofOfTask: 'subscribe' })
  expect(attesters[0]!.libp2p.services.pubsub.getTopics()).not.toContain(attesters[0]!.topics.attestation)
  const results = await Promise.all(
    attesters.map((node, i) => node.publish('attestation', makeAttestation(task, voters[i]!))),
  )
  // gossipsub sends an unsubscribed topic's messages to peers that subscribe: the relay
  expect(results.map((r) => r.recipients)).toEqual(attesters.map(() => 1))
  await waitFor('the aggregator got every vote', () => received.get(aggregator)!.length === attesters.length)
  expect(new Set(received.get(aggregator))).toEqual(new Set(attesters.map((a) => a.peerId)))
  // a task still reaches everyone, and still no vote reached an attester
  const seen = attesters.map((a) => new Promise((resolve) => a.onMessage('task', resolve)))
  await aggregator.publish('task', await makeTask(performer, { proofOfTask: 'subscribe-2' }))
  await Promise.all(seen)
  for (const node of attesters) expect(received.get(node)).toEqual([])
})

it('refuses a topic kind it does not know, naming it', () => {
  expect(() => resolveNetworkOptions({ subscribe: ['task', 'votes' as GossipTopicKind] })).toThrowError(
    /subscribe names unknown topic kinds: votes/,
  )
})
