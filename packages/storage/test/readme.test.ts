import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toContain('SLASHING_CONFLICT')
  expect(stdout).toContain('"verdict":"approve"')
  expect(stdout.trim().endsWith('32')).toBe(true)
})
