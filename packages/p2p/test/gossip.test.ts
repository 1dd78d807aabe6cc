// Relay + Node peers in one process over real WebSockets: every message type goes through, and
// each kind of bad message is rejected or ignored by the rules, counted in the relay's metrics,
// kept from the other peers — and everyone stays up.
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import { encodeMessage, type GossipTopicKind } from '@wisp/protocol'
import { toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type MetricsServer, startMetricsServer, type WispNetwork } from '../src/node/index.js'
import { type Cluster, startCluster } from './support/cluster.js'
import {
  DEFINITION_ID,
  makeAttestation,
  makeBlsTask,
  makeOperators,
  makeTask,
  makeTaskSubmitted,
  OTHER_DEPLOYMENT,
} from './support/fixtures.js'
import { seriesValue } from './support/metrics.js'
import { message, stringField, varintField } from './support/protobuf.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(4)
const [op1, op2, op3, op4] = operators as [
  (typeof operators)[0],
  (typeof operators)[0],
  (typeof operators)[0],
  (typeof operators)[0],
]
// operator 4 is registered but inactive
op4.info.active = false
const stranger = makeOperators(1, 'not-registered')[0]!

let cluster: Cluster
let a: WispNetwork
let b: WispNetwork
let metricsServer: MetricsServer

beforeAll(async () => {
  cluster = await startCluster({
    operators,
    peers: 2,
    // the relay's signature checks go through a real worker pool
    verifier: createNodeVerifierPool({ workers: 1 }),
    options: {
      foreignDeployments: [OTHER_DEPLOYMENT],
      customMessages: { maxDataBytes: 256, perPeer: { messages: 3, intervalMs: 60_000 } },
    },
  })
  ;[a, b] = cluster.peers as [WispNetwork, WispNetwork]
  metricsServer = await startMetricsServer({ port: 0 }, { registry: cluster.relayMetrics.registry })
}, 60_000)

afterAll(async () => {
  await metricsServer?.close()
  await cluster?.stop()
  await cluster?.verifier.close()
})

describe('every message type', () => {
  it('a task signed with ECDSA reaches the relay and the other peer', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://task-ecdsa' })
    const atB = nextMessage(b, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    const atRelay = nextMessage(cluster.relay, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    const { recipients } = await a.publish('task', task)
    expect(recipients).toBe(1)
    const got = await atB
    expect(got.message).toEqual(task)
    expect(got.from).toBe(a.peerId)
    await atRelay
  })

  it('a task signed with BLS', async () => {
    const task = makeBlsTask(op2, { proofOfTask: 'ipfs://task-bls' })
    const atA = nextMessage(a, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    await b.publish('task', task)
    expect((await atA).message).toEqual(task)
  })

  it('an attestation', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://attested' })
    const att = makeAttestation(task, op2)
    const atA = nextMessage(a, 'attestation')
    await b.publish('attestation', att)
    expect((await atA).message).toEqual(att)
  })

  it('a task-submitted announcement', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://submitted' })
    const submitted = makeTaskSubmitted(task, [1, 2, 3])
    const atB = nextMessage(b, 'taskSubmitted')
    await a.publish('taskSubmitted', submitted)
    expect((await atB).message).toEqual(submitted)
  })

  it('a custom message', async () => {
    const atA = nextMessage(a, 'customMessage')
    await b.publish('customMessage', { data: '0xc0ffee' })
    expect((await atA).message).toEqual({ data: '0xc0ffee' })
  })

  it('publishing refuses what peers would refuse, with coded errors', async () => {
    await expect(a.publish('customMessage', { data: toHex(new Uint8Array(300)) })).rejects.toMatchObject({
      code: 'P2P_ENCODE_FAILED',
    })
    await expect(
      a.publish('task', {
        ...(await makeTask(op1, { proofOfTask: 'x' })),
        performer: '0x1234' as `0x${string}`,
      }),
    ).rejects.toMatchObject({ code: 'P2P_ENCODE_FAILED' })
  })
})

describe('bad messages', () => {
  let mallory: WispNetwork
  const receivedByB = { task: 0, attestation: 0, taskSubmitted: 0, customMessage: 0 }

  beforeAll(async () => {
    mallory = await cluster.addPeer()
    for (const kind of Object.keys(receivedByB) as GossipTopicKind[]) {
      b.onMessage(kind, (r) => {
        if (r.from === mallory.peerId) receivedByB[kind]++
      })
    }
  })

  /** Publishes raw bytes as Mallory (bypassing our encoder) and waits until the relay judged them. */
  async function sendRaw(kind: GossipTopicKind, bytes: Uint8Array, outcome: string, reason: string) {
    const labels = { topic: kind, outcome, reason }
    const before = await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_messages_total', labels)
    await mallory.libp2p.services.pubsub.publish(mallory.topics[kind], bytes)
    await waitFor(`${kind} ${outcome}/${reason} at the relay`, async () => {
      const now = await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_messages_total', labels)
      return now === before + 1
    })
  }
  const enc = encodeMessage

  it('oversized → reject', async () => {
    await sendRaw('task', new Uint8Array(70 * 1024).fill(0x0a), 'reject', 'oversized')
  })

  it('undecodable → reject', async () => {
    await sendRaw('task', Uint8Array.from([0xff, 0xff, 0xff]), 'reject', 'malformed')
    await sendRaw('attestation', Uint8Array.from([0x0a, 0x05, 0x01]), 'reject', 'malformed')
  })

  it('well-formed protobuf with an invalid field → reject', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://bad-field' })
    const bytes = message(
      stringField(1, (task.signature as { signature: string }).signature),
      stringField(2, 'not-an-address'),
      stringField(3, task.proofOfTask),
      stringField(4, task.data),
      varintField(5, DEFINITION_ID),
    )
    await sendRaw('task', bytes, 'reject', 'invalid_field')
  })

  it('unknown task definition → ignore', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://unknown-def', definitionId: 99 })
    await sendRaw('task', enc('task', task), 'ignore', 'unknown_definition')
    await sendRaw(
      'attestation',
      enc('attestation', makeAttestation(task, op2)),
      'ignore',
      'unknown_definition',
    )
  })

  it('not an operator of this contract, or an inactive one → ignore', async () => {
    const task = await makeTask(stranger, { proofOfTask: 'ipfs://stranger' })
    await sendRaw('task', enc('task', task), 'ignore', 'unknown_operator')
    const ok = await makeTask(op1, { proofOfTask: 'ipfs://inactive-attester' })
    await sendRaw('attestation', enc('attestation', makeAttestation(ok, op4)), 'ignore', 'inactive_operator')
    const submitted = makeTaskSubmitted(ok, [1, 42])
    await sendRaw('taskSubmitted', enc('taskSubmitted', submitted), 'ignore', 'unknown_operator')
  })

  it('a vote for another chain of the AVS → ignore; a forged vote → reject', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://other-chain' })
    const foreign = makeAttestation(task, op2, { deployment: OTHER_DEPLOYMENT })
    await sendRaw('attestation', enc('attestation', foreign), 'ignore', 'wrong_deployment')
    const forged = makeAttestation(task, op2, { signWith: op3.blsKey })
    await sendRaw('attestation', enc('attestation', forged), 'reject', 'bad_attester_signature')
  })

  it('bad performer signatures → reject (ECDSA and BLS, in tasks and attestations)', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://perf' })
    const other = await makeTask(op2, { proofOfTask: 'ipfs://perf' })
    const wrongEcdsa = { ...task, signature: other.signature }
    await sendRaw('task', enc('task', wrongEcdsa), 'reject', 'bad_performer_signature')
    const blsTask = makeBlsTask(op1, { proofOfTask: 'ipfs://perf-bls' })
    const wrongBls = { ...blsTask, signature: makeBlsTask(op2, { proofOfTask: 'ipfs://perf-bls' }).signature }
    await sendRaw('task', enc('task', wrongBls), 'reject', 'bad_performer_signature')
    const att = makeAttestation(wrongEcdsa, op3)
    await sendRaw('attestation', enc('attestation', att), 'reject', 'bad_performer_signature')
  })

  it('duplicates → ignore', async () => {
    const task = await makeTask(op1, { proofOfTask: 'ipfs://dup' })
    const bytes = enc('attestation', makeAttestation(task, op3))
    await sendRaw('attestation', bytes, 'accept', 'valid')
    await sendRaw('attestation', bytes, 'ignore', 'duplicate')
    const tbytes = enc('task', task)
    await sendRaw('task', tbytes, 'accept', 'valid')
    await sendRaw('task', tbytes, 'ignore', 'duplicate')
  })

  it('custom messages: over the size limit → reject, over the rate → ignore', async () => {
    await sendRaw(
      'customMessage',
      enc('customMessage', { data: toHex(new Uint8Array(300)) }),
      'reject',
      'custom_oversized',
    )
    for (let i = 0; i < 3; i++) {
      await sendRaw('customMessage', enc('customMessage', { data: toHex(`ok-${i}`) }), 'accept', 'valid')
    }
    await sendRaw(
      'customMessage',
      enc('customMessage', { data: toHex('one-too-many') }),
      'ignore',
      'rate_limited',
    )
  })

  it('the bad ones never reached the other peer, Mallory is scored down, and everyone is still up', async () => {
    // only the valid ones Mallory sent (2 in "duplicates", 3 custom) got through
    await waitFor('valid messages from Mallory at B', () =>
      receivedByB.attestation === 1 && receivedByB.task === 1 && receivedByB.customMessage === 3
        ? true
        : undefined,
    )
    expect(receivedByB).toEqual({ task: 1, attestation: 1, taskSubmitted: 0, customMessage: 3 })
    await waitFor('a negative score for Mallory', () => cluster.relay.score(mallory.peerId) < 0)
    expect(cluster.relay.connections().some((c) => c.peerId === mallory.peerId)).toBe(true)

    const task = await makeTask(op1, { proofOfTask: 'ipfs://still-alive' })
    const atB = nextMessage(b, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
    await a.publish('task', task)
    await atB
  })

  it('/metrics serves the counters in the Prometheus text format', async () => {
    const text = await (await fetch(metricsServer.url)).text()
    expect(text).toMatch(/wisp_p2p_messages_total\{topic="task",outcome="reject",reason="oversized"\} 1/)
    expect(text).toMatch(
      /wisp_p2p_messages_total\{topic="attestation",outcome="ignore",reason="duplicate"\} 1/,
    )
    expect(text).toMatch(/wisp_p2p_connections [1-9]/)
    expect(text).toMatch(/wisp_p2p_topic_peers\{topic="attestation"\} 3/)
    expect(text).toMatch(/wisp_p2p_validation_seconds_bucket/)
  })
})
