import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { describe, expect, it } from 'vitest'
import {
  aggregatePublicKeys,
  aggregateSignatures,
  BlsError,
  SecretKey,
  Signature,
  type SignedMessage,
  verify,
  verifyBatch,
  verifySameMessage,
} from '../src/index.js'

type Hex = `0x${string}`
const digest = (i: number): Hex => `0x${i.toString(16).padStart(64, '0')}`
const keys = Array.from({ length: 12 }, (_, i) => SecretKey.fromScalar(1000n + BigInt(i) * 7919n))

describe('aggregation', () => {
  it('an aggregate of n signatures verifies against the aggregate key', () => {
    const msg = digest(1)
    const sigs = keys.map((k) => k.sign(DOMAIN_TASKS, msg))
    const agg = aggregateSignatures(sigs)
    const aggPk = aggregatePublicKeys(keys.map((k) => k.publicKey))
    expect(verify(agg, aggPk, DOMAIN_TASKS, msg)).toBe(true)
    expect(verify(agg, aggregatePublicKeys(keys.slice(1).map((k) => k.publicKey)), DOMAIN_TASKS, msg)).toBe(
      false,
    )
  })

  it('refuses empty input', () => {
    expect(() => aggregateSignatures([])).toThrow(BlsError)
    expect(() => aggregatePublicKeys([])).toThrow(BlsError)
  })
})

describe('verifySameMessage', () => {
  const msg = digest(7)
  const good = keys.map((k) => ({ signature: k.sign(DOMAIN_TASKS, msg), publicKey: k.publicKey }))

  it('accepts all-good input', () => {
    expect(verifySameMessage(DOMAIN_TASKS, msg, good)).toEqual(good.map(() => true))
    expect(verifySameMessage(DOMAIN_TASKS, msg, [])).toEqual([])
  })

  it('names exactly the bad signatures by bisection', () => {
    const items = [...good]
    items[3] = { ...items[3]!, signature: keys[3]!.sign(DOMAIN_TASKS, digest(8)) } // other message
    items[4] = { ...items[4]!, signature: keys[5]!.sign(DOMAIN_TASKS, msg) } // someone else's
    items[11] = { ...items[11]!, signature: keys[11]!.sign(DOMAIN_AUTH, msg) } // other domain
    const expected = items.map((_, i) => ![3, 4, 11].includes(i))
    expect(verifySameMessage(DOMAIN_TASKS, msg, items)).toEqual(expected)
  })

  it('judges a group by its aggregate, the criterion the contract applies', () => {
    // sig_a + δ and sig_b − δ are each invalid but sum to a valid aggregate. Same-message
    // verification answers "can this set be submitted?", so it accepts them; a caller that
    // needs per-signer proof (slashing evidence) verifies that signature alone.
    const delta = keys[0]!.sign(DOMAIN_TASKS, digest(99)).point
    const items = [...good]
    items[0] = { ...items[0]!, signature: new Signature(items[0]!.signature.point.add(delta)) }
    items[1] = { ...items[1]!, signature: new Signature(items[1]!.signature.point.subtract(delta)) }
    expect(verifySameMessage(DOMAIN_TASKS, msg, items)).toEqual(items.map(() => true))
    expect(verify(items[0]!.signature, items[0]!.publicKey, DOMAIN_TASKS, msg)).toBe(false)
    expect(verify(items[1]!.signature, items[1]!.publicKey, DOMAIN_TASKS, msg)).toBe(false)
  })
})

describe('verifyBatch (distinct and mixed messages)', () => {
  const items: SignedMessage[] = keys.map((k, i) => ({
    domain: DOMAIN_TASKS,
    digest: digest(100 + (i % 5)), // five messages, shared by several signers
    signature: k.sign(DOMAIN_TASKS, digest(100 + (i % 5))),
    publicKey: k.publicKey,
  }))

  it('accepts a valid mixed batch', () => {
    expect(verifyBatch(items)).toEqual(items.map(() => true))
    expect(verifyBatch([items[0]!])).toEqual([true])
    expect(verifyBatch([])).toEqual([])
  })

  it('names the bad items, including a swap that keeps the sum of signatures intact', () => {
    const bad = [...items]
    // Swapping two signatures of different messages leaves Σσ unchanged: only the random
    // coefficients catch it.
    bad[0] = { ...items[0]!, signature: items[1]!.signature, publicKey: items[0]!.publicKey }
    bad[1] = { ...items[1]!, signature: items[0]!.signature, publicKey: items[1]!.publicKey }
    bad[9] = { ...items[9]!, digest: digest(555) }
    const expected = bad.map((_, i) => ![0, 1, 9].includes(i))
    expect(verifyBatch(bad)).toEqual(expected)
  })
})
