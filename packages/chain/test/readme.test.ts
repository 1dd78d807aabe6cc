import { expect, it } from 'vitest'
import { runReadmeExample } from '../../../scripts/readme-example.mjs'

it('the README example runs and prints what it promises', () => {
  const stdout = runReadmeExample(import.meta.url)
  const lines = stdout.trim().split('\n')
  expect(lines).toEqual([
    'chain 31337: #1=10 #2=20 #3=30 #4=40',
    'included TaskSubmitted',
    'already-submitted',
    'InvalidOBLSSignature',
    'TaskSubmitted #0 by 3,4',
    '10001 syncs operators 4: approve; forged: reject',
    'othentic',
    '4 operators, definition 1: true, stranger: undefined',
  ])
})
