#!/usr/bin/env node
// `wisp-devnet`: the devnet is TypeScript sources only (a private workspace package, never built),
// so this runs src/cli.ts through tsx with the workspace's @wisp/source condition. tsx is resolved
// from here, not from the current directory.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const child = spawn(
  process.execPath,
  ['--conditions=@wisp/source', '--import', import.meta.resolve('tsx'), cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
)
// pass Ctrl-C and termination on, so the devnet stops its network cleanly
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
