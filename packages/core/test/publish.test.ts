// A plugin is publishable: `npm pack` gives tarballs that a separate project installs from the
// registry's point of view (dependencies resolved by npm, not the workspace), and the engine loads
// the installed plugin and runs it. The SDK and protocol are packed too: they are not on the
// registry yet.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'wisp-publish-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

function pack(dir: string): string {
  // dist/ must exist: build it here so the test does not depend on turbo having done it
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, dir, 'tsconfig.build.json')],
    { stdio: 'pipe' },
  )
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: join(root, dir),
    encoding: 'utf8',
  })
  const [info] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>
  return join(work, info!.filename)
}

/** Resolves an installed package's ESM entry the way Node does for `import`, from the other project. */
function resolveInstalled(project: string, name: string): string {
  const dir = join(project, 'node_modules', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: { '.': { import: string } }
  }
  return pathToFileURL(join(dir, pkg.exports['.'].import)).href
}

it('npm pack → install in a separate project → the engine loads and runs the plugin', async () => {
  const tarballs = ['packages/protocol', 'packages/plugin-sdk', 'plugins/hash-chain'].map(pack)
  const project = join(work, 'operator-project')
  mkdirSync(project)
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'operator-project',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(
        tarballs.map((t, i) => [
          ['@wisp/protocol', '@wisp/plugin-sdk', '@wisp/plugin-hash-chain'][i],
          `file:${t}`,
        ]),
      ),
    }),
  )
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps'], {
    cwd: project,
    stdio: 'pipe',
  })

  // what was installed is the packed dist, not workspace sources
  expect(resolveInstalled(project, '@wisp/plugin-hash-chain')).toContain(
    'operator-project/node_modules/@wisp/plugin-hash-chain/dist/',
  )

  // The engine (this workspace's @wisp/core, built) loads it in a plain Node process — no
  // source conditions, no TypeScript loader: what an operator's process would do.
  for (const dir of ['packages/bls', 'packages/storage', 'packages/core']) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, dir, 'tsconfig.build.json')],
      { stdio: 'pipe' },
    )
  }
  const core = pathToFileURL(join(root, 'packages/core/dist/index.js')).href
  writeFileSync(
    join(project, 'load.mjs'),
    `import { loadPluginModule, PluginRegistry } from '${core}'
const plugin = await loadPluginModule('@wisp/plugin-hash-chain', (s) => import(s))
const registry = new PluginRegistry({ runtime: 'node', executeTimeoutMs: 5000, validateTimeoutMs: 5000 })
registry.register(plugin, { iterations: 100 })
const result = await registry.execute(1)
const verdict = await registry.validate({ ...result, taskDefinitionId: 1, performer: '0x00000000000000000000000000000000000000aa' })
console.log(JSON.stringify({ id: plugin.manifest.id, from: import.meta.resolve('@wisp/plugin-hash-chain'), verdict }))
`,
  )
  const out = execFileSync(process.execPath, ['load.mjs'], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  const report = JSON.parse(out.trim().split('\n').at(-1)!) as { id: string; from: string; verdict: unknown }
  expect(report.id).toBe('@wisp/plugin-hash-chain')
  expect(report.from).toContain('operator-project/node_modules/@wisp/plugin-hash-chain/dist/index.js')
  expect(report.verdict).toEqual({ kind: 'approve' })
}, 240_000)
