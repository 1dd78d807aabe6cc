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

it('reports a missing binding as EDGE_INVALID_CONFIG in /status and 503 on /healthz', async () => {
  worker = await boot({ LOG_LEVEL: 'error' })
  const s = await waitFor('the failed start', async () => {
    const s = await worker!.json<EdgeStatus>('/status')
    return s.state === 'failed' && s
  })
  expect(s.lastError).toMatchObject({
    code: 'EDGE_INVALID_CONFIG',
    message: expect.stringMatching(/CHAIN_RPC_URL/),
  })
  expect((await worker.fetch('/healthz')).status).toBe(503)
  const admin = await worker.fetch('/admin/slashing', {
    headers: { authorization: 'Bearer whatever-whatever-1' },
  })
  expect(admin.status).toBe(401)
  expect(await admin.json()).toMatchObject({ error: { code: 'EDGE_UNAUTHORIZED' } })
  expect((await worker.fetch('/nope')).status).toBe(404)
})

it('an unreachable chain fails the start with EDGE_START_FAILED, and the alarm keeps retrying', async () => {
  worker = await boot({
    CHAIN_RPC_URL: 'http://127.0.0.1:9',
    CHAIN_ID: '31337',
    ATTESTATION_CENTER: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    RELAYS: RELAY,
    OPERATOR_PRIVATE_KEY: `0x${'22'.repeat(32)}`,
    PLUGINS: '[{"id":"@wisp/plugin-hash-chain","taskDefinitionIds":[1],"config":{"iterations":10}}]',
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
  expect(s.lastError).toMatchObject({ code: 'EDGE_START_FAILED', message: expect.stringMatching(/^chain:/) })
  expect(JSON.stringify(s)).not.toContain('2222222222')
  expect(JSON.stringify(s)).not.toContain('http://127.0.0.1:9')
})
