#!/usr/bin/env node
/// <reference types="node" />
// wisp-relay: starts a bootstrap relay, prints its peer id and multiaddrs, stops cleanly on
// SIGINT/SIGTERM (a second signal exits at once).
import { toErrorInfo } from '@wisp/protocol'
import { parseRelayArgs, USAGE } from './args.js'
import { type RunningRelay, runRelay } from './run.js'

function fail(err: unknown): never {
  const info = toErrorInfo(err)
  process.stderr.write(`wisp-relay: ${info.message} (${info.code})\n`)
  process.exit(info.code.startsWith('RELAY_') || info.code === 'P2P_INVALID_SEED' ? 2 : 1)
}

async function main(): Promise<void> {
  const config = parseRelayArgs(process.argv.slice(2), process.env)
  if (config === 'help') {
    process.stdout.write(USAGE)
    return
  }
  // Handlers go in before the relay starts: a signal that arrives while it is starting (or just
  // after the start-up lines are printed) still stops it cleanly.
  let stopping = false
  let running: Promise<RunningRelay> | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1)
    stopping = true
    process.stderr.write(`${signal}: stopping\n`)
    ;(running ?? Promise.reject(new Error('not started')))
      .then((relay) => relay.stop())
      .then(
        () => {
          process.stderr.write('stopped\n')
          process.exit(0)
        },
        (err: unknown) => {
          process.stderr.write(`error while stopping: ${String(err)}\n`)
          process.exit(1)
        },
      )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  running = runRelay(config, (line) => process.stdout.write(`${line}\n`))
  await running
}

main().catch(fail)
