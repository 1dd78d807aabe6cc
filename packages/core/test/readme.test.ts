// The README's first ```ts block is the package's example: scripts/readme-example.mjs runs it as a
// file of its own (from sources, like a reader would with tsx), so a broken example fails here.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('the README example runs one task through every role and prints what it promises', () => {
  const script = fileURLToPath(new URL('../../../scripts/readme-example.mjs', import.meta.url))
  const run = spawnSync(process.execPath, [script, fileURLToPath(new URL('..', import.meta.url))], {
    encoding: 'utf8',
  })
  expect(run.stderr).not.toMatch(/Error/)
  expect(run.status).toBe(0)
  expect(run.stdout).toContain('vote: approve')
  expect(run.stdout).toContain('aggregate valid: true attesters: [ 1 ]')
  expect(run.stdout).toContain('outcome: TaskSubmitted')
})
