import { createHash } from 'node:crypto'
import { checkCompliance, createPluginContext } from '@wisp/plugin-sdk'
import { describe, expect, it } from 'vitest'
import plugin, { createHashChainPlugin, hashChain } from '../src/index.js'

describe('hash-chain plugin', () => {
  it('passes the compliance suite', async () => {
    const report = await checkCompliance(plugin, {
      config: { iterations: 2000 },
      badConfigs: [{ iterations: 0 }, { iterations: 1.5 }, { iterations: 'x' }, { other: 1 }],
    })
    expect(report.failures).toEqual([])
  })

  it('matches an independent SHA-256 chain (node:crypto)', () => {
    const seed = new TextEncoder().encode('seed')
    let d = createHash('sha256').update(seed).digest()
    for (let i = 1; i < 100; i++) d = createHash('sha256').update(d).digest()
    expect(hashChain(seed, 100)).toBe(`0x${d.toString('hex')}`)
  })

  it('rejects wrong digests and oversized seeds; serves configured task definitions', async () => {
    const p = createHashChainPlugin({ taskDefinitionIds: [3, 4] })
    expect(p.manifest.taskDefinitionIds).toEqual([3, 4])
    const ctx = createPluginContext({
      manifest: p.manifest,
      config: { iterations: 10 },
      taskDefinitionId: 3,
      signal: new AbortController().signal,
    })
    const base = { taskDefinitionId: 3, performer: '0x00000000000000000000000000000000000000aa' as const }
    expect(await p.validate({ ...base, proofOfTask: '0x00', data: Uint8Array.of(1) }, ctx)).toMatchObject({
      kind: 'reject',
    })
    expect(await p.validate({ ...base, proofOfTask: '0x00', data: new Uint8Array(300) }, ctx)).toMatchObject({
      kind: 'reject',
    })
    expect(
      await p.validate(
        { ...base, proofOfTask: hashChain(Uint8Array.of(1), 10), data: Uint8Array.of(1) },
        ctx,
      ),
    ).toEqual({ kind: 'approve' })
  })
})
