// One local network for every test file: the app built once (to a temp dir, with fixture plugins
// beside it), then a child process (local-network.ts, run from sources with tsx) with anvil and
// our contracts, a relay, one Node operator (aggregator + attester, with most of the voting power
// so tasks finalize whoever else is online) and the web server with the anvil registrar. Test
// files drive tasks through the operator's JSON-RPC `sendTask`.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import type { TestProject } from 'vitest/node'
import { writeFixturePlugins } from './fixtures.ts'
import type { LocalNetworkInfo } from './types.ts'

const appRoot = fileURLToPath(new URL('../..', import.meta.url))

export default async function setup(project: TestProject) {
  const t0 = Date.now()
  const outDir = mkdtempSync(join(tmpdir(), 'wisp-web-dist-'))
  await build({
    configFile: join(appRoot, 'vite.config.ts'),
    root: appRoot,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  })
  const fixtures = writeFixturePlugins(join(outDir, 'fixtures'))
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@wisp/source', '--import', 'tsx', join(appRoot, 'test/support/local-network.ts'), outDir],
    { cwd: appRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const info = await new Promise<Omit<LocalNetworkInfo, 'fixtures' | 'setupMs'>>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`local network did not start:\n${out}`)), 90_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = out.split('\n').find((l) => l.startsWith('WISP_READY '))
      if (line) {
        clearTimeout(timer)
        resolve(JSON.parse(line.slice('WISP_READY '.length)))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`local network exited with ${code}:\n${out}`))
    })
  })
  project.provide('wisp', { ...info, fixtures, setupMs: Date.now() - t0 })

  return async () => {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
    })
    rmSync(outDir, { recursive: true, force: true })
  }
}
