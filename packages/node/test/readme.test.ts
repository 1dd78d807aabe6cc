import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toContain('task for definition 1 signed with ecdsa')
  expect(stdout).toContain(`result: '0x${'ab'.repeat(32)}'`)
})
