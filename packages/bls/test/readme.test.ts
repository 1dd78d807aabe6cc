import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  expect(stdout).toContain('{"x":"0x130673cb')
  expect(stdout).toContain('valid: true')
  expect(stdout.split('\n')[0]).toBe('wasm')
})
