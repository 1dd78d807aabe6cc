import { type BaseFetch, checkCompliance, createPluginContext, type PluginContext } from '@wisp/plugin-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPriceOraclePlugin, type PriceOracleConfig } from '../src/index.js'
import { type LocalPriceSource, startLocalPriceSource } from '../src/local-source.js'

const fetchImpl: BaseFetch = (url, init) => fetch(url, init as RequestInit)
let a: LocalPriceSource
let b: LocalPriceSource
const clock = 1_700_000_000_000
const now = () => clock

beforeAll(async () => {
  a = await startLocalPriceSource({ now })
  b = await startLocalPriceSource({ now, basePrice: 3001 })
})
afterAll(async () => {
  await a.close()
  await b.close()
})

const config = (): PriceOracleConfig => ({
  pair: 'ETH/USD',
  sources: [
    { name: 'a', url: a.url, path: 'price' },
    { name: 'b', url: b.url, path: 'price' },
  ],
  minSources: 2,
  tolerancePercent: 1,
  maxAgeMs: 60_000,
  decimals: 2,
})
const plugin = () => createPriceOraclePlugin({ hosts: [a.host, b.host] })
const context = (cfg = config()): PluginContext<PriceOracleConfig> =>
  createPluginContext(
    { manifest: plugin().manifest, config: cfg, taskDefinitionId: 0, signal: new AbortController().signal },
    { fetch: fetchImpl, now },
  )
const performer = '0x00000000000000000000000000000000000000aa' as const

describe('price oracle', () => {
  it('passes the compliance suite against local sources', async () => {
    const report = await checkCompliance(plugin(), {
      config: config(),
      components: { fetch: fetchImpl, now },
      tamper: (r) => ({ ...r, proofOfTask: (Number(r.proofOfTask) * 1.5).toFixed(2) }),
      badConfigs: [
        { ...config(), pair: 'eth-usd' },
        { ...config(), sources: [] },
        { ...config(), tolerancePercent: -1 },
      ],
    })
    expect(report.failures).toEqual([])
  })

  it('publishes the median and approves within tolerance, rejects outside it', async () => {
    const p = plugin()
    const result = await p.execute(context())
    expect(result.proofOfTask).toBe(((a.priceAt(clock) + b.priceAt(clock)) / 2).toFixed(2))
    const task = { ...result, taskDefinitionId: 0, performer }
    expect(await p.validate(task, context())).toEqual({ kind: 'approve' })
    a.setSkew(1.05)
    b.setSkew(1.05)
    try {
      expect(await p.validate(task, context())).toMatchObject({
        kind: 'reject',
        reason: expect.stringMatching(/deviates/),
      })
    } finally {
      a.setSkew(1)
      b.setSkew(1)
    }
  })

  it('abstains when too few sources answer, and the performer fails instead of guessing', async () => {
    const p = plugin()
    const result = await p.execute(context())
    const broken = {
      ...config(),
      sources: [
        ...config().sources.slice(0, 1),
        { name: 'down', url: 'http://127.0.0.1:1/price', path: 'price' },
      ],
    }
    const brokenPlugin = createPriceOraclePlugin({ hosts: [a.host, '127.0.0.1:1'] })
    const ctx = createPluginContext(
      {
        manifest: brokenPlugin.manifest,
        config: broken,
        taskDefinitionId: 0,
        signal: new AbortController().signal,
      },
      { fetch: fetchImpl, now },
    )
    expect(await brokenPlugin.validate({ ...result, taskDefinitionId: 0, performer }, ctx)).toMatchObject({
      kind: 'abstain',
    })
    await expect(brokenPlugin.execute(ctx)).rejects.toThrow(/only 1 of 2/)
  })

  it('a source outside the allowed hosts is refused (and counts as not answering)', async () => {
    const narrow = createPriceOraclePlugin({ hosts: [a.host] })
    const ctx = createPluginContext(
      {
        manifest: narrow.manifest,
        config: config(),
        taskDefinitionId: 0,
        signal: new AbortController().signal,
      },
      { fetch: fetchImpl, now },
    )
    await expect(narrow.execute(ctx)).rejects.toThrow(/only 1 of 2/)
  })

  it('rejects malformed, mismatched and stale reports', async () => {
    const p = plugin()
    const result = await p.execute(context())
    const report = JSON.parse(new TextDecoder().decode(result.data))
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o))
    const cases: Array<[Uint8Array, string, RegExp]> = [
      [Uint8Array.of(0xff, 0xfe), result.proofOfTask, /UTF-8 JSON/],
      [enc({ ...report, pair: 'BTC/USD' }), result.proofOfTask, /pair/],
      [enc(report), '1.00', /differs/],
      [enc({ ...report, at: clock - 120_000 }), result.proofOfTask, /old/],
      [enc({ ...report, price: '-5.00' }), '-5.00', /positive/],
      [new Uint8Array(5000), result.proofOfTask, /bytes/],
    ]
    for (const [data, proofOfTask, reason] of cases) {
      expect(
        await p.validate({ proofOfTask, data, taskDefinitionId: 0, performer }, context()),
      ).toMatchObject({
        kind: 'reject',
        reason: expect.stringMatching(reason),
      })
    }
  })

  it('the local source is deterministic per bucket and moves little between buckets', () => {
    expect(a.priceAt(clock)).toBe(a.priceAt(clock + 1))
    const diff = Math.abs(a.priceAt(clock) - a.priceAt(clock + 60_000)) / a.priceAt(clock)
    expect(diff).toBeLessThan(0.01)
  })
})
