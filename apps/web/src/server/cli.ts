/// <reference types="node" />
// `npm start -w @wisp/web -- --config <file> [--port 5173] [--host 127.0.0.1]`: serves the built
// app (building it first when dist/web is missing) with a config file. The local network (devnet)
// calls startWebServer() itself, with its own config and registration endpoint.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startWebServer } from './serve.js'

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: process.env.WISP_CONFIG },
    port: { type: 'string', default: process.env.PORT ?? '5173' },
    host: { type: 'string', default: '127.0.0.1' },
    rebuild: { type: 'boolean', default: false },
  },
})

if (!values.config) {
  console.error(
    'usage: npm start -w @wisp/web -- --config <wisp-config.json> [--port 5173] [--host 127.0.0.1] [--rebuild]',
  )
  process.exit(2)
}

const server = await startWebServer({
  config: JSON.parse(readFileSync(values.config, 'utf8')),
  port: Number(values.port),
  host: values.host,
  build: values.rebuild ? 'always' : 'if-missing',
})
console.log(`Wisp web attester: ${server.url}`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)))
}
