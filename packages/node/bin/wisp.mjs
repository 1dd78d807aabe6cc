#!/usr/bin/env node
// Runs the built CLI when there is one, else the TypeScript sources through tsx (a checkout).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (existsSync(built)) {
  await import(built)
} else {
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    ['--conditions=@wisp/source', '--import', 'tsx', source, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  )
  // pass Ctrl-C and termination on, so the real CLI stops its network cleanly
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}
