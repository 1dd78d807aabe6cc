import { DOMAIN_TASKS } from '@wisp/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { G2Point } from '../src/curve.js'
import { BlsError, P, PublicKey, R, SecretKey, Signature } from '../src/index.js'
import { BACKENDS, selectBackend } from './support/backends.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(BlsError)
    return (err as BlsError).code
  }
  return undefined
}

const sk = SecretKey.fromScalar(123456789n)
const goodSig = sk.sign(DOMAIN_TASKS, `0x${'11'.repeat(32)}`)
const goodPk = sk.publicKey

// Every check runs on both backends: a point the WebAssembly backend cannot decode must give the
// same coded BlsError as noble.
describe.each(BACKENDS)('bad input on %s', (backend) => {
  beforeAll(() => selectBackend(backend))
  afterAll(() => selectBackend('noble'))

  describe('untrusted signatures (G1)', () => {
    it('refuses infinity, coordinates ≥ p, points off the curve, wrong lengths', () => {
      expect(codeOf(() => Signature.fromEvm([0n, 0n]))).toBe('BLS_POINT_AT_INFINITY')
      expect(codeOf(() => Signature.fromEvm([P, 2n]))).toBe('BLS_COORDINATE_OUT_OF_RANGE')
      expect(codeOf(() => Signature.fromEvm([-1n, 2n]))).toBe('BLS_COORDINATE_OUT_OF_RANGE')
      const [x, y] = goodSig.toEvm()
      expect(codeOf(() => Signature.fromEvm([x, y + 1n]))).toBe('BLS_POINT_NOT_ON_CURVE')
      // y + p is the same field element but an invalid encoding
      expect(codeOf(() => Signature.fromEvm([x, y + P]))).toBe('BLS_COORDINATE_OUT_OF_RANGE')
      expect(codeOf(() => Signature.fromBytes(new Uint8Array(63)))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => Signature.fromEvm([1n] as unknown as [bigint, bigint]))).toBe(
        'BLS_INVALID_ENCODING',
      )
      expect(Signature.fromBytes(goodSig.toBytes()).equals(goodSig)).toBe(true)
    })

    it('refuses malformed JSON signatures', () => {
      expect(codeOf(() => Signature.fromJson('not json'))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => Signature.fromJson('null'))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => Signature.fromJson('{"x":"0x1"}'))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => Signature.fromJson('{"x":1,"y":2}'))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => Signature.fromJson(`{"x":"0x${'f'.repeat(65)}","y":"0x1"}`))).toBe(
        'BLS_INVALID_ENCODING',
      )
      expect(codeOf(() => Signature.fromJson('{"x":"0x1","y":"0x1"}'))).toBe('BLS_POINT_NOT_ON_CURVE')
      expect(Signature.fromJson(goodSig.toJson()).equals(goodSig)).toBe(true)
    })
  })

  describe('untrusted public keys (G2)', () => {
    it('refuses infinity, out-of-range, off-curve and wrong lengths', () => {
      expect(codeOf(() => PublicKey.fromEvm([0n, 0n, 0n, 0n]))).toBe('BLS_POINT_AT_INFINITY')
      const [a, b, c, d] = goodPk.toEvm()
      expect(codeOf(() => PublicKey.fromEvm([a, b, c, P]))).toBe('BLS_COORDINATE_OUT_OF_RANGE')
      expect(codeOf(() => PublicKey.fromEvm([a, b, c, d + 1n]))).toBe('BLS_POINT_NOT_ON_CURVE')
      // swapped re/im (the precompile's order) is a different, invalid point
      expect(codeOf(() => PublicKey.fromEvm([b, a, d, c]))).toMatch(/BLS_POINT_NOT_(ON_CURVE|IN_SUBGROUP)/)
      expect(codeOf(() => PublicKey.fromBytes(new Uint8Array(127)))).toBe('BLS_INVALID_ENCODING')
      expect(PublicKey.fromBytes(goodPk.toBytes()).equals(goodPk)).toBe(true)
    })

    it('refuses a twist point outside the r-torsion subgroup', () => {
      // Find a point on the twist that is not in G2: hash-and-check x until x³ + b' is a square.
      const Fp2 = G2Point.Fp
      const b2 = Fp2.div(Fp2.create({ c0: 3n, c1: 0n }), Fp2.create({ c0: 9n, c1: 1n }))
      let point: InstanceType<typeof G2Point> | undefined
      for (let i = 1n; point === undefined; i++) {
        const x = Fp2.create({ c0: i, c1: 1n })
        try {
          const y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), b2))
          point = G2Point.fromAffine({ x, y })
        } catch {}
      }
      const { x, y } = point.toAffine()
      expect(codeOf(() => PublicKey.fromEvm([x.c0, x.c1, y.c0, y.c1]))).toBe('BLS_POINT_NOT_IN_SUBGROUP')
    })
  })

  describe('secret keys and hashing inputs', () => {
    it('refuses zero, ≥ r, wrong lengths and bad hex', () => {
      expect(codeOf(() => SecretKey.fromScalar(0n))).toBe('BLS_INVALID_SECRET_KEY')
      expect(codeOf(() => SecretKey.fromScalar(R))).toBe('BLS_INVALID_SECRET_KEY')
      expect(codeOf(() => SecretKey.fromBytes(new Uint8Array(31)))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => SecretKey.fromBytes('0xzz' as `0x${string}`))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => SecretKey.fromEcdsaPrivateKey('0x1234'))).toBe('BLS_INVALID_ENCODING')
      expect(codeOf(() => sk.sign('0x1234', `0x${'00'.repeat(32)}`))).toBe('BLS_INVALID_ENCODING')
    })

    it('never reveals the secret scalar through string conversion or JSON', () => {
      expect(String(sk)).not.toContain('123456789')
      expect(JSON.stringify({ sk })).not.toContain('123456789')
      expect(SecretKey.fromBytes(sk.toBytes()).publicKey.equals(sk.publicKey)).toBe(true)
    })
  })
})
