// The edge attester in real workerd (miniflare, cf: false) on a real local AVS: anvil with the
// contracts, a relay with operator auth, a Node performer + aggregator. The worker reads the
// operator config every runtime reads (WISP_CONFIG), dials the relay with libp2p from its Durable
// Object, receives gossiped tasks, validates them with the bundled plugin, signs with inline BLS,
// and its votes land on chain; its /status is the shared operator status.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretKey } from '@wisp/bls'
import { getTaskEvents, registerOperator } from '@wisp/chain'
import { buildSendTaskParams, type SendTaskRequest } from '@wisp/protocol'
import type { SlashingInterchange } from '@wisp/storage'
import { waitFor, withTimeout } from '@wisp/test-utils'
import { createPublicClient, createWalletClient, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { anvil as anvilChain } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EdgeStatus } from '../src/worker.js'
import { ITERATIONS, type LocalAvs, startLocalAvs } from './support/avs.js'
import { type RunningWorker, startWorker } from './support/workerd.js'

const ADMIN_TOKEN = 'edge-test-admin-token-0123456789'
const SCRIPT = join(import.meta.dirname, '..', 'dist', 'worker.js')

let avs: LocalAvs
let worker: RunningWorker
let persistDir: string

/** The network's operator config (the one the AVS's Node operator runs on), as a WISP_CONFIG binding. */
function wispConfig(patch: { iterations?: number; validation?: 'full' | 'structural' } = {}): string {
  const c = avs.config
  return JSON.stringify({
    ...c,
    p2p: { ...c.p2p, ...(patch.validation ? { validation: patch.validation } : {}) },
    plugins: c.plugins.map((p) => ({
      ...p,
      config: { iterations: patch.iterations ?? ITERATIONS },
    })),
  })
}

function bindings(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    WISP_CONFIG: wispConfig(),
    OPERATOR_PRIVATE_KEY: avs.net.operators[1]!.ecdsaKey,
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
      return s.state === 'running' && s.p2p?.relayConnected === true && s
    },
    { timeoutMs: 60_000, context },
  )
  const peerId = s.p2p!.peerId!
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
    firstPeerId = s.p2p!.peerId!
    expect(s.starts).toBe(1)
    const op = avs.net.operators[1]!
    // the shared operator status, the same model the web and Node dashboards read
    expect(s).toMatchObject({
      runtime: 'edge',
      network: 'edge test network',
      phase: 'running',
      operator: { address: op.address, operatorId: op.id, active: true, votingPower: String(op.votingPower) },
      chain: {
        chainId: avs.net.chainId,
        attestationCenter: avs.net.contracts.attestationCenter,
        rpcOk: true,
      },
      plugins: [{ id: '@wisp/plugin-hash-chain', taskDefinitionIds: [avs.definitionId], source: 'bundled' }],
      config: { operator: { p2p: { bootstrap: [avs.relayAddress], validation: 'light' } } },
    })
    expect(s.p2p?.peers).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'relay', direction: 'outbound' })]),
    )
    // a light peer that neither aggregates nor watches leaves the votes topic by default (its own
    // votes go out through the relay: the tasks below count them on chain)
    expect(avs.relay.topicPeers('task')).toContain(firstPeerId)
    expect(avs.relay.topicPeers('attestation')).not.toContain(firstPeerId)
    expect(s.uptimeMs).toBeGreaterThanOrEqual(0)
    // and what only the edge shows
    expect(s.edge).toMatchObject({ keySource: 'derived-from-ecdsa', taskTopicPeers: expect.any(Number) })
    expect(s.edge!.blsPublicKey.toLowerCase()).toBe(op.blsPublicKey.toLowerCase())
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

    // the worker's own account of it: the outcome from the aggregator's gossip, then confirmed by
    // the TaskSubmitted event the worker read from the chain itself
    const s = await waitFor(
      'the confirmed outcome in the status',
      async () => {
        const s = await status()
        return s.tasks?.find((t) => t.taskHash === published!.taskHash)?.outcome?.confirmed === true && s
      },
      { context },
    )
    const entry = s.tasks!.find((t) => t.taskHash === published!.taskHash)!
    expect(entry).toMatchObject({
      definitionId: avs.definitionId,
      plugin: '@wisp/plugin-hash-chain',
      verdict: 'approve',
      vote: { isApproved: true },
      outcome: { isApproved: true, txHash: sent.txHash, included: true, confirmed: true },
    })
    expect(s.counts).toMatchObject({ received: 1, approve: 1, published: 1, outcomes: 1, included: 1 })
    expect(s.edge?.metrics).toMatchObject({ wisp_operator_published_total: 1 })
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
      (await status()).tasks?.find((t) => t.taskHash === taskHash && t.outcome !== undefined),
    )
    expect(entry).toMatchObject({
      verdict: 'reject',
      vote: { isApproved: false },
      outcome: { isApproved: false, included: true },
    })
    expect(entry.reason).toMatch(/digest mismatch/)
    rejectedTask = { taskHash, request }
  })

  it('reconnects when the relay drops it, without restarting the object', async () => {
    await avs.relay.hangUp(firstPeerId)
    await waitFor('the relay to see the edge peer gone or back', async () => {
      const s = await status()
      return s.p2p?.relayConnected === true && avs.relay.connections().some((c) => c.peerId === firstPeerId)
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
    worker = await boot({ WISP_CONFIG: wispConfig({ iterations: ITERATIONS + 1 }) })
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
    expect(s.p2p!.peerId).toBe(firstPeerId)
    const after = await worker.json<SlashingInterchange>('/admin/slashing', { headers: auth })
    expect(after.records).toEqual(before.records)

    const attestationsFromEdge: Array<{ data: Hex; isApproved: boolean }> = []
    const off = avs.performerPeer.onMessage('attestation', ({ message }) => {
      if (message.attester.address === avs.net.operators[1]!.address) {
        attestationsFromEdge.push({ data: message.data, isApproved: message.isApproved })
      }
    })
    try {
      // the counters survive the restart (kept per chain in the object's storage): compare with them
      const before = (await status()).counts!
      const conflict = await worker.json<{ taskHash: Hex; verdict: { kind: string } }>('/admin/attest', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ params: buildSendTaskParams(approvedTask.request) }),
      })
      expect(conflict).toMatchObject({ taskHash: approvedTask.taskHash, verdict: { kind: 'reject' } })
      const s2 = await status()
      expect(s2.counts).toMatchObject({ refused: before.refused + 1, published: before.published })
      expect(s2.logs?.map((l) => l.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^vote refused: .*already signed approve/)]),
      )

      // the same verdict again is allowed (a re-broadcast after a restart) and is signed: the same
      // bytes (BLS signatures are deterministic), which peers accept again without re-verifying —
      // re-published votes must travel so an aggregator that missed them still gets them
      const again = await worker.json<{ verdict: { kind: string } }>('/admin/attest', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ params: buildSendTaskParams(rejectedTask.request) }),
      })
      expect(again.verdict.kind).toBe('reject')
      expect((await status()).counts).toMatchObject({
        refused: before.refused + 1,
        published: before.published + 1,
      })

      // positive control: the restarted object attests new gossiped tasks and its votes count
      const submitted = avs.performer.events.once('submission:sent', (e) => !e.isApproved)
      const fresh = await avs.sendBadTask()
      const taskHash = fresh.taskHash
      const sent = await withTimeout(submitted, 45_000, 'rejection after restart', context)
      expect(sent).toMatchObject({ taskHash, event: 'TaskRejected', attesterIds: [avs.net.operators[1]!.id] })
      expect(attestationsFromEdge.filter((a) => a.data !== rejectedTask.request.task.data)).toEqual([
        { data: fresh.request.task.data, isApproved: false },
      ])
      // the re-broadcast, if it travelled, carried the same verdict
      expect(
        attestationsFromEdge
          .filter((a) => a.data === rejectedTask.request.task.data)
          .every((a) => !a.isApproved),
      ).toBe(true)
      // the conflicting vote never left the worker
      expect(attestationsFromEdge.some((a) => a.data === approvedTask.request.task.data)).toBe(false)
    } finally {
      off()
    }
    const final = await worker.json<SlashingInterchange>('/admin/slashing', { headers: auth })
    expect(final.records.find((r) => r.taskHash === approvedTask.taskHash)?.verdict).toBe('approve')
  })

  it('also attests with structural gossip validation (p2p.validation: structural)', async () => {
    await worker.stop()
    await waitFor(
      'the relay to notice the old worker is gone',
      () => !avs.relay.connections().some((c) => c.peerId === firstPeerId),
    )
    worker = await boot({ WISP_CONFIG: wispConfig({ validation: 'structural' }) })
    const s = await waitUntilMeshed()
    expect(s.config?.operator.p2p.validation).toBe('structural')
    const submitted = avs.performer.events.once('submission:sent', (e) => e.isApproved)
    const [published] = await avs.performer.performer!.tick('test')
    const sent = await withTimeout(submitted, 45_000, 'submission (structural)', context)
    expect(sent).toMatchObject({ taskHash: published!.taskHash, attesterIds: [avs.net.operators[1]!.id] })
  })
})

describe('an edge worker whose key cannot attest (the same checks as every runtime)', () => {
  let other: RunningWorker | undefined
  afterAll(() => other?.stop())

  const failedStart = async (w: RunningWorker) =>
    waitFor(
      'the failed start',
      async () => {
        const s = await w.json<EdgeStatus>('/status')
        return s.state === 'failed' && s
      },
      { context: () => w.logs().slice(-3000) },
    )

  it('refuses a BLS key other than the one registered for the operator: OPERATOR_KEY_MISMATCH', async () => {
    const op = avs.net.operators[1]!
    other = await startWorker({
      script: SCRIPT,
      bindings: bindings({
        OPERATOR_PRIVATE_KEY: '',
        BLS_PRIVATE_KEY: `0x${'07'.repeat(32)}`,
        OPERATOR_ADDRESS: op.address,
        LOG_LEVEL: 'error',
      }),
    })
    const s = await failedStart(other)
    expect(s.lastError).toMatchObject({ code: 'OPERATOR_KEY_MISMATCH' })
    expect(s).toMatchObject({ phase: 'error', code: 'OPERATOR_KEY_MISMATCH', config: { blsKey: 'raw' } })
    await other.stop()
    other = undefined
  })

  it('a key that is not an operator fails with OPERATOR_NOT_AN_OPERATOR; once it registers, the alarm starts it', async () => {
    const op = avs.net.operators[2]!
    expect(op.registered).toBe(false)
    other = await startWorker({
      script: SCRIPT,
      bindings: bindings({ OPERATOR_PRIVATE_KEY: op.ecdsaKey, KEEPALIVE_MS: '1000', LOG_LEVEL: 'error' }),
    })
    const failed = await failedStart(other)
    expect(failed.lastError).toMatchObject({ code: 'OPERATOR_NOT_AN_OPERATOR' })
    expect(failed).toMatchObject({ phase: 'error', operator: { address: op.address } })
    // nothing was opened for it: the relay never saw a peer of this worker
    const relayPeers = avs.relay.connections().length

    const { operatorId } = await registerOperator(
      createWalletClient({
        account: privateKeyToAccount(op.ecdsaKey),
        chain: anvilChain,
        transport: http(avs.anvil.rpcUrl),
      }),
      {
        attestationCenter: avs.net.contracts.attestationCenter,
        blsSecretKey: SecretKey.fromBytes(op.blsSecretKey),
      },
    )
    const running = await waitFor(
      'the alarm to start the newly registered operator',
      async () => {
        const s = await other!.json<EdgeStatus>('/status')
        return s.state === 'running' && s.p2p?.relayConnected === true && s
      },
      { timeoutMs: 30_000, context: () => other!.logs().slice(-3000) },
    )
    expect(running.starts).toBeGreaterThanOrEqual(2)
    expect(running.lastError).toBeUndefined()
    expect(running).toMatchObject({ phase: 'running', operator: { address: op.address, operatorId } })
    expect(avs.relay.connections().length).toBeGreaterThan(relayPeers)
    await waitFor(
      'the relay to authenticate the new operator',
      () => avs.relay.authOf(running.p2p!.peerId!)?.state === 'operator',
    )
  })
})
