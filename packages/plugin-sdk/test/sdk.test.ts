import { describe, expect, it } from 'vitest'
import {
  approve,
  checkCompliance,
  checkManifest,
  createPluginContext,
  definePlugin,
  PluginError,
  parsePluginConfig,
  validateConfig,
  withDeadline,
} from '../src/index.js'
import { goodPlugin, manifest } from './fixtures.js'

const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p)
  } catch (err) {
    return (err as PluginError).code
  }
  return 'no error'
}

describe('manifest', () => {
  it('accepts a good manifest and refuses each kind of bad one with a coded error', async () => {
    expect(checkManifest(manifest)).toBe(manifest)
    const bad: Array<[unknown, string]> = [
      [null, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, id: 'Bad Name' }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, version: '1.0' }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, apiVersion: 2 }, 'PLUGIN_API_MISMATCH'],
      [{ ...manifest, taskDefinitionIds: [] }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, taskDefinitionIds: [70000] }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, taskDefinitionIds: [1, 1] }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, runtimes: ['deno'] }, 'PLUGIN_INVALID_MANIFEST'],
      [{ ...manifest, capabilities: { fetch: ['http://x.com/path'] } }, 'PLUGIN_INVALID_MANIFEST'],
      [
        { ...manifest, configSchema: { type: 'object', properties: {}, x: () => 1 } },
        'PLUGIN_INVALID_MANIFEST',
      ],
    ]
    for (const [m, expected] of bad)
      expect(await code(() => checkManifest(m)), JSON.stringify(m)).toBe(expected)
    expect(checkManifest({ ...manifest, id: '@acme/price-oracle', version: '2.1.0-rc.1+build.5' }).id).toBe(
      '@acme/price-oracle',
    )
  })

  it('definePlugin checks hooks and freezes the result', async () => {
    expect(await code(() => definePlugin({ manifest } as never))).toBe('PLUGIN_INVALID_MANIFEST')
    const plugin = goodPlugin()
    expect(plugin.kind).toBe('wisp-plugin')
    expect(Object.isFrozen(plugin)).toBe(true)
  })
})

describe('config schema', () => {
  it('fills defaults and reports every issue with a path', () => {
    expect(parsePluginConfig(manifest, {})).toEqual({ modulus: 97 })
    const result = validateConfig(
      {
        type: 'object',
        required: ['sources'],
        properties: {
          sources: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['url'],
              properties: { url: { type: 'string', pattern: '^https?://' } },
            },
          },
          tolerance: { type: 'number', minimum: 0, maximum: 1 },
          mode: { type: 'string', enum: ['median', 'mean'] },
        },
      },
      { sources: [{ url: 'ftp://x' }, {}], tolerance: 2, mode: 'max' },
    )
    expect(result.ok).toBe(false)
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual([
      '/sources/0/url',
      '/sources/1/url',
      '/tolerance',
      '/mode',
    ])
    expect(() => parsePluginConfig(manifest, { modulus: 1.5 })).toThrow(PluginError)
  })
})

describe('withDeadline', () => {
  it('times out a hanging hook, wraps throws, and honours a parent abort', async () => {
    const opts = { timeoutMs: 50, what: 'validate', pluginId: 'p' }
    expect(await code(withDeadline(() => new Promise(() => {}), opts))).toBe('PLUGIN_TIMEOUT')
    expect(
      await code(
        withDeadline(async () => {
          throw new Error('boom')
        }, opts),
      ),
    ).toBe('PLUGIN_HOOK_FAILED')
    const parent = new AbortController()
    const pending = withDeadline(() => new Promise(() => {}), {
      ...opts,
      timeoutMs: 10_000,
      parent: parent.signal,
    })
    parent.abort()
    expect(await code(pending)).toBe('PLUGIN_HOOK_FAILED')
    expect(await withDeadline(async (signal) => (signal.aborted ? 'no' : 'yes'), opts)).toBe('yes')
  })
})

describe('plugin context', () => {
  it('fetch is limited to the manifest hosts and namespaced storage appears only when asked for', async () => {
    const calls: string[] = []
    const components = {
      fetch: async (url: string) => {
        calls.push(url)
        return { status: 200, ok: true, text: async () => '1', json: async () => 1 }
      },
      store: new Map<string, Uint8Array>(),
    }
    const store = {
      get: async (k: string) => components.store.get(k),
      put: async (k: string, v: Uint8Array) => void components.store.set(k, v),
      delete: async (k: string) => void components.store.delete(k),
    }
    const m = { ...manifest, capabilities: { fetch: ['prices.local:8080'], storage: true } }
    const ctx = createPluginContext(
      { manifest: m, config: {}, taskDefinitionId: 7, signal: new AbortController().signal },
      { fetch: components.fetch, store },
    )
    await ctx.fetch('http://prices.local:8080/eth')
    expect(await code(ctx.fetch('http://evil.example/'))).toBe('PLUGIN_CAPABILITY_DENIED')
    expect(await code(ctx.fetch('file:///etc/passwd'))).toBe('PLUGIN_CAPABILITY_DENIED')
    expect(await code(ctx.fetch('not a url'))).toBe('PLUGIN_CAPABILITY_DENIED')
    expect(calls).toEqual(['http://prices.local:8080/eth'])
    await ctx.storage!.put('k', Uint8Array.of(1))
    expect([...components.store.keys()]).toEqual(['plugin/echo-sum/k'])
    const noStorage = createPluginContext(
      { manifest, config: {}, taskDefinitionId: 7, signal: new AbortController().signal },
      { store },
    )
    expect(noStorage.storage).toBeUndefined()
  })
})

describe('compliance suite', () => {
  it('passes a correct plugin', async () => {
    const report = await checkCompliance(goodPlugin(), {
      config: { modulus: 97 },
      badConfigs: [{ modulus: 1 }],
    })
    expect(report.failures).toEqual([])
    expect(report.checks.map((c) => c.name)).toEqual([
      'manifest is valid',
      'accepts the given config',
      'refuses bad configs',
      'execute → validate round trip approves',
      'a tampered result is rejected',
      'results survive structuredClone',
      'abort is honoured',
    ])
  })

  it('fails a plugin that approves everything', async () => {
    const lax = definePlugin({ ...goodPlugin(), validate: async () => approve() })
    const report = await checkCompliance(lax, { config: { modulus: 97 } })
    expect(report.failures).toEqual([
      expect.stringMatching(/^a tampered result is rejected: expected reject/),
    ])
  })

  it('fails a plugin that ignores abort and hangs', async () => {
    const stuck = definePlugin({
      ...goodPlugin(),
      execute: (ctx) =>
        new Promise((resolve) => {
          if (!ctx.signal.aborted)
            setTimeout(() => resolve({ proofOfTask: '47', data: Uint8Array.of(12) }), 300)
        }),
    })
    const report = await checkCompliance(stuck, {
      config: { modulus: 97 },
      timeoutMs: 1_000,
      abortGraceMs: 100,
    })
    expect(report.failures).toEqual([
      'abort is honoured: execute did not settle within 100 ms of its signal aborting',
    ])
    const hung = definePlugin({ ...goodPlugin(), validate: () => new Promise(() => {}) })
    const hungReport = await checkCompliance(hung, {
      config: { modulus: 97 },
      timeoutMs: 300,
      abortGraceMs: 100,
    })
    expect(hungReport.failures.some((f) => /PLUGIN_TIMEOUT|exceeded/.test(f))).toBe(true)
  })

  it('fails a plugin whose results do not survive structuredClone', async () => {
    const weird = definePlugin({
      ...goodPlugin(),
      validate: async () => ({ kind: 'approve', extra: () => 1 }) as never,
    })
    const report = await checkCompliance(weird, { config: { modulus: 97 } })
    expect(report.failures.some((f) => f.startsWith('results survive structuredClone'))).toBe(true)
  })

  it('fails a plugin whose schema accepts bad configs', async () => {
    const loose = definePlugin({
      ...goodPlugin(),
      manifest: { ...manifest, configSchema: { type: 'object', properties: {} } },
    })
    const report = await checkCompliance(loose, {
      config: {} as { modulus: number },
      badConfigs: [{ modulus: 'x' }],
    })
    expect(report.failures).toEqual([expect.stringMatching(/^refuses bad configs: accepted a bad config/)])
  })
})
