#!/usr/bin/env node
// `wisp`. In a Wisp checkout (this file is not under node_modules: npm links the workspace package
// to packages/node) it always runs the TypeScript sources through tsx with the workspace's
// @wisp/source condition: nothing is built at `npm install`, and a dist/ left by an earlier or
// partial build may be stale or miss its dependencies' dist/. Installed from a registry, it runs
// the built dist/cli.js. tsx is resolved from here, not from the current directory, so `wisp`
// works from anywhere.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(import.meta.url)
const source = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const built = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const checkout = !here.split(/[\\/]/).includes('node_modules') && existsSync(source)

if (!checkout) {
  await import(built)
} else {
  let tsx
  try {
    tsx = import.meta.resolve('tsx')
  } catch {
    process.stderr.write('wisp: running from the sources needs tsx: run npm install in the Wisp checkout\n')
    process.exit(1)
  }
  const child = spawn(
    process.execPath,
    ['--conditions=@wisp/source', '--import', tsx, source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  )
  // pass Ctrl-C and termination on, so the real CLI stops its network cleanly
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
}
