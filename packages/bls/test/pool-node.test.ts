import { DOMAIN_TASKS } from '@wisp/protocol'
import { afterAll, describe, expect, it } from 'vitest'
import { createInlineVerifier, SecretKey, toVerifyJob, type VerifyJob } from '../src/index.js'
import { createNodeVerifierPool } from '../src/pool/node.js'

type Hex = `0x${string}`
const digest = (i: number): Hex => `0x${i.toString(16).padStart(64, '0')}`
const keys = Array.from({ length: 16 }, (_, i) => SecretKey.fromScalar(77n + BigInt(i) * 1009n))

function jobs(count: number): VerifyJob[] {
  return Array.from({ length: count }, (_, i) => {
    const key = keys[i % keys.length]!
    const msg = digest(i % 7)
    return toVerifyJob({
      domain: DOMAIN_TASKS,
      digest: msg,
      publicKey: key.publicKey,
      signature: key.sign(DOMAIN_TASKS, msg),
    })
  })
}

const pool = createNodeVerifierPool({ workers: 2 })
afterAll(() => pool.close())

describe.each([
  ['node worker_threads pool', () => pool],
  ['inline verifier', () => createInlineVerifier()],
])('%s', (_name, make) => {
  it('verifies a burst, names bad jobs, and reports malformed ones as coded errors', async () => {
    const verifier = make()
    const burst = jobs(60)
    burst[5] = { ...burst[5]!, digest: new Uint8Array(32).fill(9) } // wrong message
    burst[17] = { ...burst[17]!, signature: new Uint8Array(64) } // infinity
    burst[23] = { ...burst[23]!, publicKey: new Uint8Array(12) } // truncated key
    burst[31] = { ...burst[31]!, domain: new Uint8Array(5) } // bad domain
    const outcomes = await Promise.all(burst.map((job) => verifier.verify(job)))
    outcomes.forEach((o, i) => {
      if (i === 5) expect(o).toEqual({ ok: true, valid: false })
      else if (i === 17) expect(o.ok === false && o.error.code).toBe('BLS_POINT_AT_INFINITY')
      else if (i === 23) expect(o.ok === false && o.error.code).toBe('BLS_INVALID_ENCODING')
      else if (i === 31) expect(o.ok === false && o.error.code).toBe('BLS_INVALID_ENCODING')
      else expect(o, `job ${i}`).toEqual({ ok: true, valid: true })
    })
    expect(verifier.pending).toBe(0)
  })
})

describe('pool behaviour', () => {
  it('applies back-pressure: callers wait once the pending limit is reached', async () => {
    const small = createNodeVerifierPool({ workers: 1, maxPendingJobs: 8, maxBatchJobs: 4 })
    try {
      let maxSeen = 0
      const all = jobs(40).map(async (job) => {
        const p = small.verify(job)
        maxSeen = Math.max(maxSeen, small.pending)
        return p
      })
      const outcomes = await Promise.all(all)
      expect(outcomes.every((o) => o.ok && o.valid)).toBe(true)
      expect(maxSeen).toBeLessThanOrEqual(8)
    } finally {
      await small.close()
    }
  })

  it('answers BLS_POOL_CLOSED after close, never hangs', async () => {
    const closing = createNodeVerifierPool({ workers: 1 })
    await closing.close()
    const [outcome] = await closing.verifyMany(jobs(1))
    expect(outcome!.ok === false && outcome!.error.code).toBe('BLS_POOL_CLOSED')
  })
})
