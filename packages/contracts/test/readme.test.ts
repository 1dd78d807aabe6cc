import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example deploys to anvil and submits a task', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toMatch(/submitTask: success, gas \d+, taskNumber 1/)
})
