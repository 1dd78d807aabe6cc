import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  expect(runReadmeExample(import.meta.url)).toContain("{ 'wisp_votes_total{verdict=approve}': 1 }")
})
