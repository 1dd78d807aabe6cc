import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('the README example runs and prints what it promises', () => {
  const script = fileURLToPath(new URL('../../../scripts/readme-example.mjs', import.meta.url))
  const run = spawnSync(process.execPath, [script, fileURLToPath(new URL('..', import.meta.url))], {
    encoding: 'utf8',
  })
  expect(run.stderr).not.toMatch(/Error/)
  expect(run.status).toBe(0)
  expect(run.stdout).toContain('task for definition 1 signed with ecdsa')
  expect(run.stdout).toContain(`result: '0x${'ab'.repeat(32)}'`)
})
