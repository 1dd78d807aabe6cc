// Prints one closing line for the whole monorepo from each package's vitest JSON report
// (written by the shared vite.config.ts), so a reader and CI see the total at the end.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const roots = ['packages', 'plugins', 'apps']
const reports = []
for (const root of roots) {
  if (!existsSync(root)) continue
  for (const name of readdirSync(root)) reports.push(join(root, name, 'test-results', 'vitest.json'))
}
reports.push(join('e2e', 'test-results', 'vitest.json'))

// --clean: drop reports of earlier runs so the closing line counts this run only (turbo restores
// the reports of cached tasks itself).
if (process.argv.includes('--clean')) {
  for (const file of reports) rmSync(file, { force: true })
  process.exit(0)
}

let passed = 0
let failed = 0
let brokenFiles = 0
let skipped = 0
const perPackage = []
for (const file of reports) {
  if (!existsSync(file)) continue
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests
  // a test file that cannot even load fails no single test but fails the run
  brokenFiles += r.numFailedTestSuites ?? 0
  skipped += r.numPendingTests + (r.numTodoTests ?? 0)
  perPackage.push(`${file.split('/test-results')[0]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)
}
for (const line of perPackage) console.log(`  ${line}`)
if (brokenFiles > 0) console.log(`  ${brokenFiles} test file(s) failed to run`)
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || brokenFiles > 0 || passed === 0 ? 1 : 0)
