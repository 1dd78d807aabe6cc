import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toMatch(/TaskSubmitted \[ 2, 3, 4(, 5)? \]/)
})
