#!/usr/bin/env node
// Runs the edge attester locally in real workerd through miniflare (no Cloudflare account, and
// no wrangler, which needs Node 22): builds dist/worker.js, reads the bindings, serves the
// worker and prints its URL. Durable Object storage (slashing protection!) persists in
// .wisp-edge/ so a restart is a restart, not a new attester.
//
//   node scripts/dev.mjs [--config <operator config .json>] [--vars <file>] [--port 8787]
//                        [--host 127.0.0.1] [--persist <dir>]
//
// Bindings come from --vars (a JSON object, or KEY=VALUE lines like wrangler's .dev.vars;
// default: .dev.vars when present) and are overridden by environment variables of the same names.
// --config puts an operator config file (e.g. a local network's network.json) in WISP_CONFIG.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Miniflare } from 'miniflare'
import { build } from './build.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const NAMES = [
  'WISP_CONFIG',
  'OPERATOR_PRIVATE_KEY',
  'BLS_PRIVATE_KEY',
  'OPERATOR_ADDRESS',
  'P2P_SEED',
  'KEEPALIVE_MS',
  'ADMIN_TOKEN',
  'LOG_LEVEL',
]

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    vars: { type: 'string' },
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    persist: { type: 'string', default: join(root, '.wisp-edge') },
  },
})

function readVars(file) {
  const text = readFileSync(file, 'utf8')
  if (text.trim().startsWith('{')) return JSON.parse(text)
  const vars = {}
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line)
    if (m) vars[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2')
  }
  return vars
}

const varsFile = values.vars ?? (existsSync(join(root, '.dev.vars')) ? join(root, '.dev.vars') : undefined)
const bindings = varsFile ? readVars(resolve(varsFile)) : {}
if (values.config) bindings.WISP_CONFIG = readFileSync(resolve(values.config), 'utf8')
for (const name of NAMES) if (process.env[name] !== undefined) bindings[name] = process.env[name]
for (const [k, v] of Object.entries(bindings)) if (typeof v !== 'string') bindings[k] = JSON.stringify(v)

const { outfile } = await build({ minify: false })
const mf = new Miniflare({
  modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(outfile, 'utf8') }],
  compatibilityDate: '2025-09-01',
  cf: false,
  host: values.host,
  port: Number(values.port),
  bindings,
  durableObjects: { ATTESTER: { className: 'EdgeAttesterObject', useSQLite: true } },
  durableObjectsPersist: resolve(values.persist, 'do'),
})
const url = await mf.ready
// wake the object: it starts the attester and arms its keep-alive alarm
const first = await mf.dispatchFetch(new URL('/status', url))
const status = await first.json()
console.log(`wisp edge attester (workerd via miniflare): ${new URL('/status', url)}`)
console.log(
  `state: ${status.state}${status.lastError ? ` — ${status.lastError.code}: ${status.lastError.message}` : ''}`,
)
const stop = async () => {
  await mf.dispose()
  process.exit(0)
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
