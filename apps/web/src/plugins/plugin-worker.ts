// The plugin worker: bundled plugins and plugins fetched from a URL pinned by SHA-256 run here,
// away from the page's main thread and from any key. Each validate has a deadline in here (for
// plugins that wait); a plugin that blocks this thread is stopped by the page, which terminates
// the worker (host.ts).
import { loadPinnedPlugin, PluginRegistry } from '@wisp/core'
import type { Logger } from '@wisp/interface'
import { createBundledPlugin, isUrlPlugin } from '@wisp/operator'
import type { BaseFetch, PluginChain } from '@wisp/plugin-sdk'
import { toErrorInfo } from '@wisp/protocol'
import { IdbStore } from '@wisp/storage/idb'
import { expose } from 'comlink'
import type { PluginSpec } from '../config.js'
import type { LoadedPlugin, LoadOutcome, PluginEnv, PluginWorkerService } from './protocol.js'

let registry: PluginRegistry | undefined
let progress: MessagePort | undefined

const baseFetch: BaseFetch = (url, init) => fetch(url, init)

function chainView(env: PluginEnv): PluginChain {
  return {
    chainId: env.chainId,
    async getBlockNumber() {
      const response = await fetch(env.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      })
      const body = (await response.json()) as { result?: string }
      if (typeof body.result !== 'string') throw new Error('eth_blockNumber failed')
      return BigInt(body.result)
    },
  }
}

const logger: Logger = {
  debug() {},
  info() {},
  warn: (message, fields) => console.warn(`[plugins] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[plugins] ${message}`, fields ?? ''),
  child: () => logger,
}

async function importSource(code: string): Promise<unknown> {
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }))
  try {
    return await import(/* @vite-ignore */ url)
  } finally {
    URL.revokeObjectURL(url)
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { cache: 'no-store' })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return new Uint8Array(await response.arrayBuffer())
}

async function loadOne(reg: PluginRegistry, spec: PluginSpec): Promise<LoadOutcome> {
  const url = isUrlPlugin(spec)
  const what = url ? spec.url : spec.package
  const source = url ? 'url' : 'bundled'
  try {
    const plugin = url
      ? await loadPinnedPlugin({ url: spec.url, sha256: spec.sha256 }, { fetchBytes, importSource })
      : createBundledPlugin(spec)
    const entry = reg.register(
      plugin,
      spec.config,
      spec.taskDefinitionIds ? { taskDefinitionIds: spec.taskDefinitionIds } : {},
    )
    const loaded: LoadedPlugin = {
      manifest: structuredClone(entry.plugin.manifest),
      taskDefinitionIds: [...entry.taskDefinitionIds],
      source,
      ...(url ? { url: spec.url, sha256: spec.sha256.toLowerCase().replace(/^0x/, '') } : {}),
      hasElectLeader: typeof entry.plugin.electLeader === 'function',
    }
    return { ok: true, plugin: loaded }
  } catch (err) {
    return { ok: false, source, what, error: toErrorInfo(err) }
  }
}

const service: PluginWorkerService = {
  async load(specs, env, port) {
    progress = port
    const store = await IdbStore.open({ name: env.storeName })
    const reg = new PluginRegistry(
      {
        runtime: 'worker',
        executeTimeoutMs: env.validateTimeoutMs,
        validateTimeoutMs: env.validateTimeoutMs,
      },
      { fetch: baseFetch, store, chain: chainView(env), logger },
    )
    const outcomes: LoadOutcome[] = []
    // one at a time: registration order decides which plugin gets a contested definition
    for (const spec of specs) outcomes.push(await loadOne(reg, spec))
    registry = reg
    return outcomes
  },

  async validate(id, task) {
    progress?.postMessage({ id, phase: 'start' })
    if (registry === undefined) return { kind: 'abstain', reason: 'plugins are not loaded' }
    return registry.validate(task)
  },

  ping: () => 'pong',
}

expose(service)
