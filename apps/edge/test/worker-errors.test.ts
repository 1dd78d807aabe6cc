// The worker in workerd when it cannot run: bad bindings, an unreachable chain, admin without a
// token. It answers with coded errors, never crashes, and keeps retrying from its alarm.
import { join } from 'node:path'
import { waitFor } from '@wisp/test-utils'
import { afterEach, expect, it } from 'vitest'
import type { EdgeStatus } from '../src/worker.js'
import { type RunningWorker, startWorker } from './support/workerd.js'

const SCRIPT = join(import.meta.dirname, '..', 'dist', 'worker.js')
const RELAY = '/ip4/127.0.0.1/tcp/9/ws/p2p/12D3KooWQB1718wsf67xMEDpTEgnPgDBTGFZHQLCoL1W8ZYK98j4'
let worker: RunningWorker | undefined

afterEach(async () => {
  await worker?.stop()
  worker = undefined
})

const boot = (bindings: Record<string, string>) =>
  startWorker({ script: SCRIPT, bindings, durableObjects: { ATTESTER: 'EdgeAttesterObject' } })

const CENTER = '0x5fbdb2315678afecb367f032d93f642f64180aa3'
const wispConfig = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    network: { name: 'unreachable', kind: 'local' },
    chain: { rpcUrl: 'http://127.0.0.1:9/v1/rpc-api-key-0123', chainId: 31337, attestationCenter: CENTER },
    p2p: { bootstrap: [RELAY] },
    plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 10 } }],
    ...patch,
  })

it('reports a relay workerd cannot dial as EDGE_INVALID_CONFIG naming WISP_CONFIG and the field, 503 on /healthz', async () => {
  worker = await boot({
    // a TCP relay: fine for a Node attester reading the same file, not for a worker
    WISP_CONFIG: wispConfig({ p2p: { bootstrap: [RELAY.replace('/ws/', '/')] } }),
    OPERATOR_PRIVATE_KEY: `0x${'22'.repeat(32)}`,
    LOG_LEVEL: 'error',
  })
  const s = await waitFor('the failed start', async () => {
    const s = await worker!.json<EdgeStatus>('/status')
    return s.state === 'failed' && s
  })
  expect(s.lastError).toMatchObject({
    code: 'EDGE_INVALID_CONFIG',
    message: expect.stringMatching(
      /^WISP_CONFIG: config\.p2p\.bootstrap\[0\]: workerd can only dial WebSockets/,
    ),
  })
  // the config was not read: no shared status yet
  expect(s.phase).toBeUndefined()
  expect((await worker.fetch('/healthz')).status).toBe(503)
  const admin = await worker.fetch('/admin/slashing', {
    headers: { authorization: 'Bearer whatever-whatever-1' },
  })
  expect(admin.status).toBe(401)
  expect(await admin.json()).toMatchObject({ error: { code: 'EDGE_UNAUTHORIZED' } })
  expect((await worker.fetch('/nope')).status).toBe(404)
})

it('an unreachable chain fails the start with CHAIN_RPC_FAILED (shared status: phase error), and the alarm keeps retrying', async () => {
  worker = await boot({
    WISP_CONFIG: wispConfig(),
    OPERATOR_PRIVATE_KEY: `0x${'22'.repeat(32)}`,
    KEEPALIVE_MS: '1000',
    LOG_LEVEL: 'error',
  })
  const s = await waitFor(
    'two alarm retries',
    async () => {
      const s = await worker!.json<EdgeStatus>('/status')
      return s.state === 'failed' && s.keepAlive.alarms >= 2 && s
    },
    { timeoutMs: 30_000 },
  )
  expect(s.lastError).toMatchObject({ code: 'CHAIN_RPC_FAILED' })
  // the shared status of the attempt: the same fields every runtime's dashboard reads
  expect(s).toMatchObject({
    runtime: 'edge',
    network: 'unreachable',
    phase: 'error',
    code: 'CHAIN_RPC_FAILED',
    chain: { chainId: 31337, rpcOk: false },
    p2p: { relayConnected: false },
    config: { operator: { chain: { rpcHost: '127.0.0.1:9' } } },
  })
  const text = JSON.stringify(s)
  expect(text).not.toContain('2222222222')
  // the RPC URL (which may carry an API key) is shown by its host only
  expect(text).not.toContain('rpc-api-key')
  expect(worker.logs()).not.toContain('rpc-api-key')
})
