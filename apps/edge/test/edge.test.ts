// The edge attester in real workerd (miniflare, cf: false) on a real local AVS: anvil with the
// contracts, a relay with operator auth, a Node performer + aggregator. The worker dials the
// relay with libp2p from its Durable Object, receives gossiped tasks, validates them with the
// bundled plugin, signs with inline BLS, and its votes land on chain.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getTaskEvents } from '@wisp/chain'
import { buildSendTaskParams, type SendTaskRequest } from '@wisp/protocol'
import type { SlashingInterchange } from '@wisp/storage'
import { waitFor, withTimeout } from '@wisp/test-utils'
import { createPublicClient, type Hex, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EdgeStatus } from '../src/worker.js'
import { ITERATIONS, type LocalAvs, NAMESPACE, startLocalAvs } from './support/avs.js'
import { type RunningWorker, startWorker } from './support/workerd.js'

const ADMIN_TOKEN = 'edge-test-admin-token-0123456789'
const SCRIPT = join(import.meta.dirname, '..', 'dist', 'worker.js')

let avs: LocalAvs
let worker: RunningWorker
let persistDir: string

function bindings(overrides: Record<string, string> = {}): Record<string, string> {
  const edgeOperator = avs.net.operators[1]!
  return {
    CHAIN_RPC_URL: avs.anvil.rpcUrl,
    CHAIN_ID: String(avs.net.chainId),
    ATTESTATION_CENTER: avs.net.contracts.attestationCenter,
    RELAYS: avs.relayAddress,
    OPERATOR_PRIVATE_KEY: edgeOperator.ecdsaKey,
    PLUGINS: JSON.stringify([
      {
        id: '@wisp/plugin-hash-chain',
        taskDefinitionIds: [avs.definitionId],
        config: { iterations: ITERATIONS },
      },
    ]),
    TOPIC_NAMESPACE: NAMESPACE,
    ADMIN_TOKEN,
    KEEPALIVE_MS: '2000',
    LOG_LEVEL: 'info',
    ...overrides,
  }
}

async function boot(overrides: Record<string, string> = {}): Promise<RunningWorker> {
  return startWorker({
    script: SCRIPT,
    bindings: bindings(overrides),
    durableObjects: { ATTESTER: 'EdgeAttesterObject' },
    persistDir,
  })
}

const status = () => worker.json<EdgeStatus>('/status')
const context = () => `--- worker output ---\n${worker?.logs().slice(-4000)}`

/** running, connected to the relay, and in the relay's task mesh (so gossip reaches it) */
async function waitUntilMeshed(): Promise<EdgeStatus> {
  const s = await waitFor(
    'the edge attester to run and connect to the relay',
    async () => {
      const s = await status()
      if (s.state === 'failed') throw new Error(`start failed: ${JSON.stringify(s.lastError)}`)
      return s.state === 'running' && s.network?.relayConnected === true && s
    },
    { timeoutMs: 60_000, context },
  )
  const peerId = s.network!.peerId
  await waitFor(
    'the relay to graft the edge peer into its mesh',
    () => ['task', 'taskSubmitted'].every((k) => avs.relay.meshPeers(k as 'task').includes(peerId)),
    { context },
  )
  await waitFor('the performer in the relay mesh', () =>
    avs.relay.meshPeers('attestation').includes(avs.performerPeer.peerId),
  )
  return s
}

beforeAll(async () => {
  persistDir = mkdtempSync(join(tmpdir(), 'wisp-edge-do-'))
  avs = await startLocalAvs()
  worker = await boot()
}, 120_000)

afterAll(async () => {
  await worker?.stop()
  await avs?.stop()
  if (persistDir) rmSync(persistDir, { recursive: true, force: true })
})

describe('edge attester in workerd', () => {
  let firstPeerId: string
  let approvedTask: { taskHash: Hex; request: SendTaskRequest }
  let rejectedTask: { taskHash: Hex; request: SendTaskRequest }

  it('boots, dials the relay over WebSocket with libp2p from its Durable Object, and authenticates as its operator', async () => {
    const s = await waitUntilMeshed()
    firstPeerId = s.network!.peerId
    expect(s.starts).toBe(1)
    expect(s.operator).toMatchObject({
      address: avs.net.operators[1]!.address,
      id: avs.net.operators[1]!.id,
      registered: true,
      active: true,
      keyMatchesChain: true,
      keySource: 'derived-from-ecdsa',
    })
    expect(s.chain?.attestationCenter).toBe(avs.net.contracts.attestationCenter)
    // the two gaps of workerd that libp2p trips over were filled (see README)
    expect(s.shims).toEqual({ bufferedAmount: true, broadcastChannel: true })
    // the relay challenged the worker and it proved it is operator 2 with its BLS key
    await waitFor(
      'the relay to authenticate the edge peer',
      () => avs.relay.authOf(firstPeerId)?.state === 'operator',
    )
    expect(avs.relay.authOf(firstPeerId)).toMatchObject({ operatorId: avs.net.operators[1]!.id })
    // no secret in the status
    const text = JSON.stringify(s)
    expect(text).not.toContain(avs.net.operators[1]!.ecdsaKey.slice(2))
    expect(text).not.toContain(ADMIN_TOKEN)
  })

  it('attests a gossiped task; the aggregator submits it with the edge operator in attestersIds (TaskSubmitted on anvil)', async () => {
    const submitted = avs.performer.events.once('submission:sent')
    const [published] = await avs.performer.performer!.tick('test')
    expect(published).toBeDefined()
    const sent = await withTimeout(submitted, 45_000, 'submission', context)
    expect(sent).toMatchObject({ taskHash: published!.taskHash, isApproved: true, event: 'TaskSubmitted' })
    expect(sent.attesterIds).toEqual([avs.net.operators[1]!.id])

    // on chain, from the event itself
    const client = createPublicClient({ transport: http(avs.anvil.rpcUrl) })
    const events = await getTaskEvents(client, { attestationCenter: avs.net.contracts.attestationCenter })
    const onChain = events.find((e) => e.transactionHash === sent.txHash)
    expect(onChain).toMatchObject({ event: 'TaskSubmitted', proofOfTask: published!.task.proofOfTask })
    expect(onChain!.attesterIds).toContain(avs.net.operators[1]!.id)

    // the worker's own account of it, outcome included (from the aggregator's TaskSubmitted gossip)
    const s = await waitFor(
      'the outcome in the status',
      async () => {
        const s = await status()
        return s.recent?.find((t) => t.taskHash === published!.taskHash)?.outcome !== undefined && s
      },
      { context },
    )
    const entry = s.recent!.find((t) => t.taskHash === published!.taskHash)!
    expect(entry).toMatchObject({
      verdict: 'approve',
      vote: { isApproved: true },
      outcome: { event: 'TaskSubmitted', txHash: sent.txHash, includesUs: true },
    })
    expect(s.votes).toMatchObject({ cast: 1, approve: 1, counted: 1 })
    approvedTask = {
      taskHash: published!.taskHash,
      request: { task: published!.task, signature: published!.signature },
    }
  })

  it('votes reject on a task with a wrong proof, and the chain records TaskRejected with its vote', async () => {
    const submitted = avs.performer.events.once('submission:sent', (e) => !e.isApproved)
    const { taskHash, request } = await avs.sendBadTask()
    const sent = await withTimeout(submitted, 45_000, 'rejection', context)
    expect(sent).toMatchObject({ taskHash, isApproved: false, event: 'TaskRejected' })
    expect(sent.attesterIds).toEqual([avs.net.operators[1]!.id])
    const entry = await waitFor('the rejection in the status', async () =>
      (await status()).recent?.find((t) => t.taskHash === taskHash && t.outcome !== undefined),
    )
    expect(entry).toMatchObject({
      verdict: 'reject',
      vote: { isApproved: false },
      outcome: { event: 'TaskRejected' },
    })
    expect(entry.reason).toMatch(/digest mismatch/)
    rejectedTask = { taskHash, request }
  })

  it('reconnects when the relay drops it, without restarting the object', async () => {
    await avs.relay.hangUp(firstPeerId)
    await waitFor('the relay to see the edge peer gone or back', async () => {
      const s = await status()
      return (
        s.network?.relayConnected === true && avs.relay.connections().some((c) => c.peerId === firstPeerId)
      )
    })
    const s = await waitUntilMeshed()
    expect(s.starts).toBe(1)
  })

  it('keeps slashing protection in Durable Object storage across a restart: a conflicting vote is refused', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` }
    const before = await worker.json<SlashingInterchange>('/admin/slashing', { headers: auth })
    const operator = avs.net.operators[1]!.address.toLowerCase()
    expect(before.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operator, taskHash: approvedTask.taskHash, verdict: 'approve' }),
        expect.objectContaining({ operator, taskHash: rejectedTask.taskHash, verdict: 'reject' }),
      ]),
    )

    // restart workerd on the same storage, with a plugin config under which the approved task
    // is now invalid: the attester will want to sign "reject" for a task it approved
    await worker.stop()
    await waitFor(
      'the relay to notice the old worker is gone',
      () => !avs.relay.connections().some((c) => c.peerId === firstPeerId),
    )
    worker = await boot({
      PLUGINS: JSON.stringify([
        {
          id: '@wisp/plugin-hash-chain',
          taskDefinitionIds: [avs.definitionId],
          config: { iterations: ITERATIONS + 1 },
        },
      ]),
    })
    // no request yet: the alarm persisted in the object's storage wakes it, and it rejoins by itself
    await waitFor(
      'the alarm to restart the attester and rejoin the relay',
      () => avs.relay.connections().some((c) => c.peerId === firstPeerId),
      { timeoutMs: 30_000, context },
    )
    const s = await waitUntilMeshed()
    expect(s.starts).toBe(2)
    expect(s.keepAlive.alarms).toBeGreaterThanOrEqual(1)
    // the peer id's seed was generated once and kept in the object's storage
    expect(s.network!.peerId).toBe(firstPeerId)
    const after = await worker.json<SlashingInterchange>('/admin/slashing', { headers: auth })
    expect(after.records).toEqual(before.records)

    const attestationsFromEdge: Array<{ data: Hex; isApproved: boolean }> = []
    const off = avs.performerPeer.onMessage('attestation', ({ message }) => {
      if (message.attester.address === avs.net.operators[1]!.address) {
        attestationsFromEdge.push({ data: message.data, isApproved: message.isApproved })
      }
    })
    try {
      const conflict = await worker.json<{ taskHash: Hex; verdict: { kind: string } }>('/admin/attest', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ params: buildSendTaskParams(approvedTask.request) }),
      })
      expect(conflict).toMatchObject({ taskHash: approvedTask.taskHash, verdict: { kind: 'reject' } })
      const s2 = await status()
      expect(s2.votes).toMatchObject({ refused: 1, cast: 0 })
      expect(s2.recent!.find((t) => t.taskHash === approvedTask.taskHash)?.refused).toMatch(
        /already signed approve/,
      )

      // the same verdict again is allowed (a re-broadcast after a restart) and is signed; the
      // network drops it as a duplicate (BLS signatures are deterministic: same bytes)
      const again = await worker.json<{ verdict: { kind: string } }>('/admin/attest', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ params: buildSendTaskParams(rejectedTask.request) }),
      })
      expect(again.verdict.kind).toBe('reject')
      expect((await status()).votes).toMatchObject({ refused: 1, cast: 1 })

      // positive control: the restarted object attests new gossiped tasks and its votes count
      const submitted = avs.performer.events.once('submission:sent', (e) => !e.isApproved)
      const fresh = await avs.sendBadTask()
      const taskHash = fresh.taskHash
      const sent = await withTimeout(submitted, 45_000, 'rejection after restart', context)
      expect(sent).toMatchObject({ taskHash, event: 'TaskRejected', attesterIds: [avs.net.operators[1]!.id] })
      expect(attestationsFromEdge).toEqual([{ data: fresh.request.task.data, isApproved: false }])
      // the conflicting vote never left the worker
      expect(attestationsFromEdge.some((a) => a.data === approvedTask.request.task.data)).toBe(false)
    } finally {
      off()
    }
    const final = await worker.json<SlashingInterchange>('/admin/slashing', { headers: auth })
    expect(final.records.find((r) => r.taskHash === approvedTask.taskHash)?.verdict).toBe('approve')
  })

  it('also attests with structural gossip validation (P2P_VALIDATION=structural)', async () => {
    await worker.stop()
    await waitFor(
      'the relay to notice the old worker is gone',
      () => !avs.relay.connections().some((c) => c.peerId === firstPeerId),
    )
    worker = await boot({ P2P_VALIDATION: 'structural' })
    const s = await waitUntilMeshed()
    expect(s.config?.p2pValidation).toBe('structural')
    const submitted = avs.performer.events.once('submission:sent', (e) => e.isApproved)
    const [published] = await avs.performer.performer!.tick('test')
    const sent = await withTimeout(submitted, 45_000, 'submission (structural)', context)
    expect(sent).toMatchObject({ taskHash: published!.taskHash, attesterIds: [avs.net.operators[1]!.id] })
  })
})
