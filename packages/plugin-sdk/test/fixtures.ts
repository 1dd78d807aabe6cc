import { approve, definePlugin, type PluginManifest, reject, type WispPlugin } from '../src/index.js'

export const manifest: PluginManifest = {
  id: 'echo-sum',
  version: '1.0.0',
  apiVersion: 1,
  taskDefinitionIds: [7],
  runtimes: ['node', 'browser', 'worker', 'edge'],
  capabilities: {},
  configSchema: {
    type: 'object',
    properties: { modulus: { type: 'integer', minimum: 2, default: 97 } },
    additionalProperties: false,
  },
}

/** A correct toy plugin: data is n; proof is (n*n) mod modulus. */
export function goodPlugin(): WispPlugin<{ modulus: number }> {
  return definePlugin<{ modulus: number }>({
    manifest,
    async execute(ctx) {
      const n = 12
      return { proofOfTask: String((n * n) % ctx.config.modulus), data: Uint8Array.of(n) }
    },
    async validate(task, ctx) {
      const n = task.data[0] ?? 0
      return task.proofOfTask === String((n * n) % ctx.config.modulus) ? approve() : reject('wrong square')
    },
  })
}
