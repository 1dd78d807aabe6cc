// The public surface promises only what the code does: every declared error code is thrown
// somewhere in the repository, and options nobody reads do not exist.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { type AggregatorOptions, DEFAULT_AGGREGATOR_OPTIONS } from '../src/index.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const SKIP = new Set(['node_modules', 'dist', '.turbo', '.git', 'test', 'test-results', 'coverage', '.wisp'])

/** Source files (not tests) of every workspace: packages, plugins, apps and e2e. */
function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) sources(path, out)
    else if (/\.tsx?$/.test(entry.name) && !/\.(test|spec)\.tsx?$/.test(entry.name)) out.push(path)
  }
  return out
}

describe('@wisp/core API', () => {
  it('every CoreErrorCode is used by code outside its declaration', () => {
    const errorsFile = join(root, 'packages/core/src/errors.ts')
    const declared = [...readFileSync(errorsFile, 'utf8').matchAll(/\|\s*'([A-Z_]+)'/g)].map((m) => m[1]!)
    expect(declared).toContain('ENGINE_INVALID_OPTIONS')
    const files = ['packages', 'plugins', 'apps', 'e2e']
      .flatMap((d) => sources(join(root, d)))
      .filter((f) => f !== errorsFile)
      .map((f) => readFileSync(f, 'utf8'))
    const unused = declared.filter((code) => !files.some((text) => text.includes(`'${code}'`)))
    expect(unused).toEqual([])
  })

  it('the aggregator takes no leader-election options (it never elects; tsc checks the expect-error)', () => {
    // @ts-expect-error roundRobin was accepted and never read
    const options: Partial<AggregatorOptions> = { roundRobin: { interval: 1n } }
    expect(options).toBeDefined()
    expect(Object.keys(DEFAULT_AGGREGATOR_OPTIONS)).not.toContain('roundRobin')
  })
})
