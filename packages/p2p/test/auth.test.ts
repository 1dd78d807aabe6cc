// Operator auth: a peer proves it is an operator by BLS-signing a fresh challenge bound to its
// peer id. With auth on, attestations authored by a directly connected peer are rejected unless
// it proved it is the attester's operator — even if the attestation itself is genuine.
import { SecretKey } from '@wisp/bls'
import { encodeMessage } from '@wisp/protocol'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createBlsAuthSigner, type WispNetwork } from '../src/node/index.js'
import { type Cluster, startCluster } from './support/cluster.js'
import { makeAttestation, makeOperators, makeTask, type TestOperator } from './support/fixtures.js'
import { seriesValue } from './support/metrics.js'
import { nextMessage, waitFor } from './support/wait.js'

const operators = makeOperators(3)
const [op1, op2, op3] = operators as [TestOperator, TestOperator, TestOperator]
const signerOf = (op: TestOperator, key = op.blsKey) =>
  createBlsAuthSigner({ operatorId: op.info.id, address: op.info.address }, key)

let cluster: Cluster
let alice: WispNetwork // operator 1, honest
let mallory: WispNetwork // claims operator 2 but signs with a key that is not operator 2's
let reader: WispNetwork // no operator: read-only
let bob: WispNetwork // operator 2, honest

beforeAll(async () => {
  cluster = await startCluster({ operators, peers: 0, options: { auth: { enabled: true, timeoutMs: 5000 } } })
  alice = await cluster.addPeer({ signer: signerOf(op1) })
  mallory = await cluster.addPeer({ signer: signerOf(op2, SecretKey.fromScalar(123456789n)) })
  reader = await cluster.addPeer()
  bob = await cluster.addPeer({ signer: signerOf(op2) })
})

afterAll(async () => {
  await cluster?.stop()
})

const count = (outcome: string, reason: string) =>
  seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_messages_total', {
    topic: 'attestation',
    outcome,
    reason,
  })

it('the relay learns who each peer is', async () => {
  const settled = (p: WispNetwork) => cluster.relay.authOf(p.peerId)?.state !== 'pending'
  await waitFor('auth settled for every peer', () => [alice, mallory, reader, bob].every(settled))
  expect(cluster.relay.authOf(alice.peerId)).toEqual({
    state: 'operator',
    operatorId: 1,
    address: op1.info.address,
  })
  expect(cluster.relay.authOf(bob.peerId)).toMatchObject({ state: 'operator', operatorId: 2 })
  expect(cluster.relay.authOf(mallory.peerId)).toMatchObject({ state: 'failed' })
  expect(cluster.relay.authOf(reader.peerId)).toEqual({ state: 'read-only' })
  for (const [outcome, n] of [
    ['operator', 2],
    ['failed', 1],
    ['read-only', 1],
  ] as const) {
    expect(await seriesValue(cluster.relayMetrics.registry, 'wisp_p2p_auth_total', { outcome })).toBe(n)
  }
})

it('an operator’s own attestation is accepted and arrives tagged with its operator id', async () => {
  const task = await makeTask(op3, { proofOfTask: 'ipfs://auth-ok' })
  const atRelay = nextMessage(cluster.relay, 'attestation', (r) => r.message.proofOfTask === task.proofOfTask)
  await alice.publish('attestation', makeAttestation(task, op1))
  const got = await atRelay
  expect(got.from).toBe(alice.peerId)
  expect(got.operatorId).toBe(1)
})

it('a peer claiming an operator id it cannot sign for has its attestations rejected', async () => {
  // a genuine attestation by operator 2 (validly signed): only the author is wrong
  const task = await makeTask(op3, { proofOfTask: 'ipfs://auth-mallory' })
  const bytes = encodeMessage('attestation', makeAttestation(task, op2))
  const before = await count('reject', 'unauthenticated')
  await mallory.libp2p.services.pubsub.publish(mallory.topics.attestation, bytes)
  await waitFor(
    'the relay rejected it',
    async () => (await count('reject', 'unauthenticated')) === before + 1,
  )

  // a read-only peer cannot publish someone else's attestation either
  const other = encodeMessage('attestation', makeAttestation(task, op3))
  await reader.libp2p.services.pubsub.publish(reader.topics.attestation, other)
  await waitFor(
    'the relay rejected it',
    async () => (await count('reject', 'unauthenticated')) === before + 2,
  )

  // the same genuine attestation from the real operator 2 goes through
  const atAlice = nextMessage(alice, 'attestation', (r) => r.message.proofOfTask === task.proofOfTask)
  await bob.libp2p.services.pubsub.publish(bob.topics.attestation, bytes)
  expect((await atAlice).operatorId).toBeUndefined() // alice did not authenticate bob herself
  expect((await atAlice).from).toBe(bob.peerId)
})

it('read-only peers still take part in the rest of the gossip', async () => {
  const task = await makeTask(op1, { proofOfTask: 'ipfs://reader-task' })
  const atAlice = nextMessage(alice, 'task', (r) => r.message.proofOfTask === task.proofOfTask)
  await reader.publish('task', task)
  await atAlice
})
