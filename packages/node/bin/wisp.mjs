#!/usr/bin/env node
import { spawnSync } from 'node:child_process'
// Runs the built CLI when there is one, else the TypeScript sources through tsx (a checkout).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
if (existsSync(built)) {
  await import(built)
} else {
  const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
  const run = spawnSync(
    process.execPath,
    ['--conditions=@wisp/source', '--import', 'tsx', source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  process.exit(run.status ?? 1)
}
