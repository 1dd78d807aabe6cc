import { existsSync, readFileSync } from 'node:fs'
import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blsBackend } from '../src/backend.js'
import {
  bytesToHex,
  hashToPointEvm,
  PublicKey,
  SecretKey,
  Signature,
  signProofOfPossession,
  verify,
  verifyProofOfPossession,
} from '../src/index.js'
import vectors from './fixtures/vectors.json' with { type: 'json' }
import { BACKENDS, selectBackend } from './support/backends.js'

type Hex = `0x${string}`
const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}`

describe.each(BACKENDS)('vectors.json on %s', (backend) => {
  beforeAll(() => selectBackend(backend))
  afterAll(() => selectBackend('noble'))

  it('runs on the backend it names', () => {
    expect(blsBackend()).toBe(backend)
  })

  it('is the copy of shared/spec/vectors.json when that file is present', () => {
    const shared = new URL('../../../../shared/spec/vectors.json', import.meta.url)
    if (!existsSync(shared)) return
    expect(JSON.parse(readFileSync(shared, 'utf8'))).toEqual(vectors)
  })

  it('domains match', () => {
    expect(DOMAIN_TASKS).toBe(vectors.constants.DOMAIN_TASKS)
    expect(DOMAIN_AUTH).toBe(vectors.constants.DOMAIN_AUTH)
  })

  for (const kd of vectors.keyDerivation) {
    it(`derives the BLS key of ECDSA key ${kd.ecdsaPrivateKey.slice(0, 10)}… like Othentic`, () => {
      const sk = SecretKey.fromEcdsaPrivateKey(kd.ecdsaPrivateKey as Hex)
      expect(bytesToHex(sk.toBytes())).toBe(kd.blsSecretKey)
      expect(sk.publicKey.toEvm().map(word)).toEqual(kd.blsPublicKey)
      // the derivation ignores the case of the hex it is given
      expect(
        bytesToHex(
          SecretKey.fromEcdsaPrivateKey(
            kd.ecdsaPrivateKey.toUpperCase().replace('0X', '0x') as Hex,
          ).toBytes(),
        ),
      ).toBe(kd.blsSecretKey)
    })
  }

  it('hashToPoint(DOMAIN_TASKS, taskHash)', () => {
    const point = hashToPointEvm(DOMAIN_TASKS, vectors.task.taskHash as Hex)
    expect(point.map(word)).toEqual(vectors.task.hashToPointOfTaskHash)
  })

  it('the BLS performer signature, in both encodings, and it verifies', () => {
    const sk = SecretKey.fromEcdsaPrivateKey(vectors.keyDerivation[0]!.ecdsaPrivateKey as Hex)
    const sig = sk.sign(DOMAIN_TASKS, vectors.task.taskHash as Hex)
    expect(sig.toEvm().map(word)).toEqual(vectors.task.blsPerformerSignature)
    expect(sig.toJson()).toBe(vectors.task.blsPerformerSignatureJson)
    const parsed = Signature.fromJson(vectors.task.blsPerformerSignatureJson)
    expect(parsed.equals(sig)).toBe(true)
    const pk = PublicKey.fromEvm(
      vectors.keyDerivation[0]!.blsPublicKey.map(BigInt) as [bigint, bigint, bigint, bigint],
    )
    expect(verify(parsed, pk, DOMAIN_TASKS, vectors.task.taskHash as Hex)).toBe(true)
    expect(verify(parsed, pk, DOMAIN_TASKS, vectors.vote.voteHash as Hex)).toBe(false)
    expect(verify(parsed, pk, DOMAIN_AUTH, vectors.task.taskHash as Hex)).toBe(false)
  })

  it('proof of possession round-trips and is bound to operator, contract and chain', () => {
    const sk = SecretKey.fromEcdsaPrivateKey(vectors.keyDerivation[0]!.ecdsaPrivateKey as Hex)
    const ctx = {
      operator: vectors.keyDerivation[0]!.address as Hex,
      contract: vectors.vote.attestationCenter as Hex,
      chainId: vectors.vote.chainId,
    }
    const pop = signProofOfPossession(sk, ctx)
    expect(verifyProofOfPossession(pop, sk.publicKey, ctx)).toBe(true)
    expect(verifyProofOfPossession(pop, sk.publicKey, { ...ctx, chainId: 1 })).toBe(false)
    expect(verifyProofOfPossession(pop, SecretKey.random().publicKey, ctx)).toBe(false)
  })
})
