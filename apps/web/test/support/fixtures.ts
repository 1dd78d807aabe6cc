// Single-file plugin modules served next to the app, for the URL-pinned plugin tests. They are
// written by hand (no imports): what a plugin bundled to one file looks like.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LocalNetworkInfo } from './types.ts'

const manifest = (id: string, taskDefinitionId: number) => ({
  id,
  version: '1.0.0',
  apiVersion: 1,
  taskDefinitionIds: [taskDefinitionId],
  runtimes: ['browser', 'worker'],
  capabilities: {},
  configSchema: { type: 'object', properties: { note: { type: 'string', default: 'hi' } } },
})

// approves when proofOfTask is the data read as text
const ECHO = `const plugin = {
  kind: 'wisp-plugin',
  manifest: ${JSON.stringify(manifest('echo-plugin', 77))},
  async execute() { throw new Error('attest only') },
  async validate(task) {
    const text = new TextDecoder().decode(task.data)
    return task.proofOfTask === text ? { kind: 'approve' } : { kind: 'reject', reason: 'not an echo' }
  },
}
export default plugin
`

// blocks its thread for good: the plugin worker must be terminated, the page must not notice
const BUSY = `const plugin = {
  kind: 'wisp-plugin',
  manifest: ${JSON.stringify(manifest('busy-plugin', 78))},
  async execute() { throw new Error('attest only') },
  async validate() {
    const until = Date.now() + 60000
    while (Date.now() < until) {}
    return { kind: 'approve' }
  },
}
export default plugin
`

export function writeFixturePlugins(dir: string): LocalNetworkInfo['fixtures'] {
  mkdirSync(dir, { recursive: true })
  const write = (name: string, code: string, taskDefinitionId: number) => {
    writeFileSync(join(dir, name), code)
    return {
      path: `fixtures/${name}`,
      sha256: createHash('sha256').update(code).digest('hex'),
      taskDefinitionId,
    }
  }
  return { echo: write('echo-plugin.mjs', ECHO, 77), busy: write('busy-plugin.mjs', BUSY, 78) }
}
