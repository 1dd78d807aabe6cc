// A deterministic compute task: the performer iterates SHA-256 over a seed; every attester
// recomputes and must get exactly the same digest. Cheap to configure from microseconds to
// seconds of work, which makes it the workload of the benchmarks and end-to-end tests.
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { approve, definePlugin, type PluginManifest, reject, type WispPlugin } from '@wisp/plugin-sdk'

export interface HashChainConfig {
  /** SHA-256 rounds per task */
  iterations: number
}

/** Seeds are short: a task carries its seed in `data`. */
export const MAX_SEED_BYTES = 256
/** How often the loop looks at the abort signal: ~1 ms of hashing. */
const ABORT_CHECK_EVERY = 512

export function hashChain(seed: Uint8Array, iterations: number, signal?: AbortSignal): string {
  let digest = sha256(seed)
  for (let i = 1; i < iterations; i++) {
    if (i % ABORT_CHECK_EVERY === 0) signal?.throwIfAborted()
    digest = sha256(digest)
  }
  return `0x${bytesToHex(digest)}`
}

export function createHashChainPlugin(
  options: { taskDefinitionIds?: readonly number[] } = {},
): WispPlugin<HashChainConfig> {
  const manifest: PluginManifest = {
    id: '@wisp/plugin-hash-chain',
    version: '0.1.0',
    apiVersion: 1,
    taskDefinitionIds: options.taskDefinitionIds ?? [1],
    runtimes: ['node', 'browser', 'worker', 'edge'],
    capabilities: {},
    configSchema: {
      type: 'object',
      properties: { iterations: { type: 'integer', minimum: 1, maximum: 10_000_000, default: 1000 } },
      additionalProperties: false,
    },
    description: 'SHA-256 iterated over a seed; attesters recompute exactly',
  }
  return definePlugin<HashChainConfig>({
    manifest,
    async execute(ctx) {
      // The seed names the slot; any unique bytes work, the clock keeps tasks distinct.
      const seed = new TextEncoder().encode(`hash-chain:${ctx.taskDefinitionId}:${ctx.now()}`)
      return { proofOfTask: hashChain(seed, ctx.config.iterations, ctx.signal), data: seed }
    },
    async validate(task, ctx) {
      if (task.data.length === 0 || task.data.length > MAX_SEED_BYTES) {
        return reject(`seed must be 1..${MAX_SEED_BYTES} bytes`)
      }
      const expected = hashChain(task.data, ctx.config.iterations, ctx.signal)
      return task.proofOfTask === expected ? approve() : reject(`digest mismatch: expected ${expected}`)
    },
  })
}

export default createHashChainPlugin()
