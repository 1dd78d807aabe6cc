// The README's first ```ts block is the package's example: scripts/readme-example.mjs runs it as a
// file of its own (from sources, like a reader would with tsx), so a broken example fails here.
import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs one task through every role and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toContain('vote: approve')
  expect(stdout).toContain('aggregate valid: true attesters: [ 1 ]')
  expect(stdout).toContain('outcome: TaskSubmitted')
})
