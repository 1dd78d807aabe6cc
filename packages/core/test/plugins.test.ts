import { createServer } from 'node:http'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { definePlugin } from '@wisp/plugin-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPinnedPlugin, loadPluginModule, PluginRegistry, validateWithService } from '../src/index.js'

const hashChain = createHashChainPlugin({ taskDefinitionIds: [1, 2] })
const registry = () => new PluginRegistry({ runtime: 'node', executeTimeoutMs: 1000, validateTimeoutMs: 200 })
const code = async (fn: () => unknown) => {
  try {
    await fn()
  } catch (err) {
    return (err as { code: string }).code
  }
  return 'no error'
}

describe('plugin registry', () => {
  it('registers per task definition and refuses conflicts, foreign runtimes, missing capabilities and bad config', async () => {
    const r = registry()
    r.register(hashChain, { iterations: 5 }, { taskDefinitionIds: [1] })
    expect(r.taskDefinitionIds()).toEqual([1])
    expect(await code(() => r.register(hashChain, { iterations: 5 }, { taskDefinitionIds: [1] }))).toBe(
      'ENGINE_PLUGIN_CONFLICT',
    )
    expect(await code(() => r.register(hashChain, { iterations: 5 }, { taskDefinitionIds: [9] }))).toBe(
      'ENGINE_PLUGIN_CONFLICT',
    )
    expect(await code(() => r.register(hashChain, { iterations: -1 }, { taskDefinitionIds: [2] }))).toBe(
      'PLUGIN_INVALID_CONFIG',
    )
    expect(await code(() => r.register({ not: 'a plugin' }, {}))).toBe('ENGINE_PLUGIN_LOAD_FAILED')
    const browserOnly = definePlugin({
      ...hashChain,
      manifest: { ...hashChain.manifest, runtimes: ['browser'], taskDefinitionIds: [3] },
    })
    expect(await code(() => r.register(browserOnly, { iterations: 5 }))).toBe(
      'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME',
    )
    const fetcher = definePlugin({
      ...hashChain,
      manifest: { ...hashChain.manifest, capabilities: { fetch: ['x.test'] }, taskDefinitionIds: [4] },
    })
    expect(await code(() => r.register(fetcher, { iterations: 5 }))).toBe('ENGINE_PLUGIN_UNSUPPORTED_RUNTIME')
  })

  it('execute errors carry the plugin and hook; validate turns every failure into abstain', async () => {
    const r = registry()
    const flaky = definePlugin({
      ...hashChain,
      execute: async () => {
        throw new Error('source down')
      },
      validate: async () => ({ kind: 'maybe' }) as never,
    })
    r.register(flaky, { iterations: 5 }, { taskDefinitionIds: [1] })
    await expect(r.execute(1)).rejects.toMatchObject({
      code: 'PLUGIN_HOOK_FAILED',
      message: expect.stringMatching(/@wisp\/plugin-hash-chain execute threw: source down/),
    })
    await expect(r.execute(7)).rejects.toMatchObject({ code: 'ENGINE_UNKNOWN_TASK_DEFINITION' })
    const task = {
      proofOfTask: 'x',
      data: Uint8Array.of(1),
      taskDefinitionId: 1,
      performer: '0x00000000000000000000000000000000000000aa' as const,
    }
    expect(await r.validate(task)).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/malformed verdict/),
    })
    expect(await r.validate({ ...task, taskDefinitionId: 7 })).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/no plugin/),
    })
  })
})

describe('plugin loading', () => {
  it('loads an installed plugin package by name, and refuses modules that are not plugins', async () => {
    const plugin = await loadPluginModule('@wisp/plugin-hash-chain', (s) => import(s))
    expect(plugin.manifest.id).toBe('@wisp/plugin-hash-chain')
    expect(await code(() => loadPluginModule('node:path', (s) => import(s)))).toBe(
      'ENGINE_PLUGIN_LOAD_FAILED',
    )
    expect(await code(() => loadPluginModule('no-such-package-xyz', (s) => import(s)))).toBe(
      'ENGINE_PLUGIN_LOAD_FAILED',
    )
  })

  it('a URL plugin loads only when its bytes match the pinned SHA-256', async () => {
    const source = 'export default { kind: "wisp-plugin", manifest: {} }'
    const bytes = new TextEncoder().encode(source)
    const components = {
      fetchBytes: async () => bytes,
      importSource: async (code: string) => import(`data:text/javascript,${encodeURIComponent(code)}`),
    }
    const good = await loadPinnedPlugin(
      { url: 'https://plugins.test/p.js', sha256: bytesToHex(sha256(bytes)) },
      components,
    )
    expect(good.kind).toBe('wisp-plugin')
    const mismatch = await code(() =>
      loadPinnedPlugin({ url: 'https://plugins.test/p.js', sha256: '00'.repeat(32) }, components),
    )
    expect(mismatch).toBe('ENGINE_PLUGIN_LOAD_FAILED')
    expect(await code(() => loadPinnedPlugin({ url: 'u', sha256: 'abc' }, components))).toBe(
      'ENGINE_PLUGIN_LOAD_FAILED',
    )
  })
})

describe('external validation service (POST /task/validate)', () => {
  let url = ''
  const answers: Array<(res: import('node:http').ServerResponse) => void> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const parsed = JSON.parse(body)
      if (req.url !== '/task/validate' || typeof parsed.proofOfTask !== 'string') res.writeHead(400).end()
      else answers.shift()!(res)
    })
  })
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))
  const task = {
    proofOfTask: 'p',
    data: '0x01' as const,
    taskPerformer: '0x00000000000000000000000000000000000000aa' as const,
    taskDefinitionId: 0,
  }
  const fetchImpl = (u: string, init: object) => fetch(u, init as RequestInit)

  it('maps answers to verdicts; errors, garbage and timeouts are abstain, never reject', async () => {
    const json = (status: number, body: unknown) => (res: import('node:http').ServerResponse) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    answers.push(json(200, { data: true, error: false, message: null }))
    expect(await validateWithService(task, { url, timeoutMs: 1000 }, fetchImpl)).toEqual({ kind: 'approve' })
    answers.push(json(200, { data: { result: false } }))
    expect(await validateWithService(task, { url, timeoutMs: 1000 }, fetchImpl)).toMatchObject({
      kind: 'reject',
    })
    answers.push(json(500, { error: true, message: 'db down', data: {} }))
    expect(await validateWithService(task, { url, timeoutMs: 1000 }, fetchImpl)).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/SERVICE_ERROR/),
    })
    answers.push((res) => res.writeHead(200).end('not json'))
    expect(await validateWithService(task, { url, timeoutMs: 1000 }, fetchImpl)).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/MALFORMED/),
    })
    answers.push(() => undefined) // never answers
    expect(await validateWithService(task, { url, timeoutMs: 100 }, fetchImpl)).toMatchObject({
      kind: 'abstain',
      reason: expect.stringMatching(/TIMEOUT/),
    })
    expect(
      await validateWithService(task, { url: 'http://127.0.0.1:1', timeoutMs: 500 }, fetchImpl),
    ).toMatchObject({ kind: 'abstain', reason: expect.stringMatching(/UNREACHABLE/) })
  })
})
