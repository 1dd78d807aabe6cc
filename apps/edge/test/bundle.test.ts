// The worker bundle (built once by global-setup with `node scripts/build.mjs --json`): one ESM
// file, within its size budget, with nothing workerd refuses at run time.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject, it } from 'vitest'

const bundle = inject('bundle')

it('fits the size budget (raw and gzip) and reports it as JSON', () => {
  console.log(
    `edge bundle: ${bundle.rawBytes} B raw, ${bundle.gzipBytes} B gzip, ${bundle.brotliBytes} B brotli (${bundle.modules} modules)`,
  )
  expect(bundle.minified).toBe(true)
  expect(bundle.rawBytes).toBeGreaterThan(100_000)
  expect(bundle.gzipBytes).toBeLessThan(bundle.rawBytes)
  expect(bundle.rawBytes).toBeLessThanOrEqual(bundle.budget.rawBytes)
  expect(bundle.gzipBytes).toBeLessThanOrEqual(bundle.budget.gzipBytes)
  expect(bundle.withinBudget).toBe(true)
})

it('contains no eval, no code generation from strings and no runtime WASM compile', () => {
  expect(bundle.forbidden).toEqual([])
})

it('is one self-contained ES module: no imports left, no Node built-ins', () => {
  const code = readFileSync(join(import.meta.dirname, '..', bundle.bundle), 'utf8')
  expect(code).not.toMatch(/\bimport\s*\(?\s*["'][^"']+["']/)
  expect(code).not.toMatch(/\brequire\(\s*["']/)
  expect(code).not.toMatch(/["']node:[a-z_]+["']/)
  // the worker's two entry points
  expect(code).toMatch(/export\s*\{[^}]*EdgeAttesterObject/)
})
