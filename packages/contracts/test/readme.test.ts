import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

it('the README example deploys to anvil and submits a task', () => {
  const script = fileURLToPath(new URL('../../../scripts/readme-example.mjs', import.meta.url))
  const run = spawnSync(process.execPath, [script, fileURLToPath(new URL('..', import.meta.url))], {
    encoding: 'utf8',
  })
  // scripts/readme-example.mjs calls process.exit inside its try, so its finally (which deletes the
  // extracted file) does not run: clean up here
  rmSync(fileURLToPath(new URL(`../.readme-example-${run.pid}.ts`, import.meta.url)), { force: true })
  expect(run.stderr).not.toMatch(/Error/)
  expect(run.status).toBe(0)
  expect(run.stdout).toMatch(/submitTask: success, gas \d+, taskNumber 1/)
})
