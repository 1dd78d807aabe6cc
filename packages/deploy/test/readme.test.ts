import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const lines = runReadmeExample(import.meta.url)
    .trim()
    .split('\n')
  expect(lines).toEqual([
    'dry run: 10 steps, over 1M gas',
    'network file: example network, chain 31337, 1 definition',
    'definition 1: hash-chain',
    'resumed: true, steps left: 0',
  ])
})
