// Once per run, before any test file: the bundles the network serves must match the sources.
// - the edge worker (apps/edge/dist/worker.js): always built, with the script `npm run size` runs
//   (esbuild, ~3 s);
// - the web attester (apps/web/dist/web): turbo's `^build` builds it before this package's tests;
//   when run directly (`npx vitest run`), it is rebuilt here if any source it bundles is newer
//   than the build (~10 s), so a stale build never hides a change.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildEdgeWorker } from '@wisp/edge/local'
import { buildWebApp, webAppDir } from '@wisp/web/server'

const repo = fileURLToPath(new URL('../../../', import.meta.url))

/** The newest modification time of a file, or of any file under a directory (skipping build output). */
function newest(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (stat === undefined) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = 0
  for (const name of readdirSync(path)) {
    if (['node_modules', 'dist', 'test-results', '.turbo'].includes(name)) continue
    latest = Math.max(latest, newest(join(path, name)))
  }
  return latest
}

function webBuildIsStale(): boolean {
  const index = join(webAppDir(), 'index.html')
  if (!existsSync(index)) return true
  const built = statSync(index).mtimeMs
  const sources = ['packages', 'plugins'].flatMap((root) =>
    readdirSync(join(repo, root)).map((name) => join(repo, root, name, 'src')),
  )
  sources.push(join(repo, 'apps/web/src'), join(repo, 'apps/web/index.html'))
  return sources.some((source) => newest(source) > built)
}

export default async function setup(): Promise<void> {
  const report = await buildEdgeWorker()
  if (!report.withinBudget || report.forbidden.length > 0) {
    throw new Error(`the edge bundle is not runnable: ${JSON.stringify(report)}`)
  }
  if (webBuildIsStale()) await buildWebApp()
}
