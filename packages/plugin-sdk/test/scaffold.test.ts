// The scaffold writes a plugin package that passes the compliance suite as generated.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { checkCompliance, type WispPlugin } from '../src/index.js'

const bin = fileURLToPath(new URL('../bin/create-plugin.mjs', import.meta.url))
// inside the workspace, so the generated code resolves @wisp/plugin-sdk like an installed dependency
const parent = mkdtempSync(join(fileURLToPath(new URL('..', import.meta.url)), '.scaffold-'))
afterAll(() => rmSync(parent, { recursive: true, force: true }))

it('creates a compliant plugin package', async () => {
  const dir = join(parent, 'weather-check')
  const run = spawnSync(process.execPath, [bin, dir, '--task-definition', '42'], { encoding: 'utf8' })
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  for (const f of ['package.json', 'tsconfig.json', 'src/index.ts', 'test/compliance.test.ts', 'README.md']) {
    expect(existsSync(join(dir, f)), f).toBe(true)
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  expect(pkg.name).toBe('weather-check')
  expect(pkg.exports['.'].types).toBe('./dist/index.d.ts')

  const plugin = (await import(join(dir, 'src/index.ts'))).default as WispPlugin<{ rounds: number }>
  expect(plugin.manifest).toMatchObject({ id: 'weather-check', taskDefinitionIds: [42] })
  const report = await checkCompliance(plugin, { config: { rounds: 1000 }, badConfigs: [{ rounds: 0 }] })
  expect(report.failures).toEqual([])
})

it('refuses bad arguments with a usage message and exit code 2', () => {
  const bad = spawnSync(process.execPath, [bin, join(parent, 'x'), '--id', 'Not Valid'], { encoding: 'utf8' })
  expect(bad.status).toBe(2)
  expect(bad.stderr).toContain('not a valid npm package name')
  const none = spawnSync(process.execPath, [bin], { encoding: 'utf8' })
  expect(none.status).toBe(2)
})
