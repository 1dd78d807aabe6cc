// Differential test against mcl-wasm, the library Othentic's services use, on random inputs.
import { randomBytes } from 'node:crypto'
import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { beforeAll, describe, expect, it } from 'vitest'
import { bytesToHex, hashToPointEvm, PublicKey, SecretKey, Signature, verify } from '../src/index.js'
import {
  g2Generator,
  initMcl,
  mcl,
  mclG1FromWords,
  mclG1Words,
  mclG2FromWords,
  mclG2Words,
  mclHashToPoint,
  mclSecretKeyFromEcdsa,
  mclVerify,
} from './support/mcl-reference.js'

const CASES = 200

beforeAll(initMcl)

describe(`noble vs mcl-wasm on ${CASES} random keys and messages`, () => {
  it('identical hash points, keys, signatures; each verifies the other', () => {
    const g2 = g2Generator()
    for (let i = 0; i < CASES; i++) {
      const domain =
        i % 3 === 0 ? randomBytes(32) : Buffer.from((i % 2 ? DOMAIN_TASKS : DOMAIN_AUTH).slice(2), 'hex')
      const message = randomBytes(32)
      const ecdsa = bytesToHex(randomBytes(32))

      const ours = hashToPointEvm(new Uint8Array(domain), new Uint8Array(message))
      const theirs = mclHashToPoint(domain, message)
      expect(ours, `hash point #${i}`).toEqual(mclG1Words(theirs))

      const sk = SecretKey.fromEcdsaPrivateKey(ecdsa)
      const mclSk = mclSecretKeyFromEcdsa(ecdsa)
      const mclSkBytes = mclSk.serialize() // little-endian
      expect(bytesToHex(sk.toBytes())).toBe(bytesToHex(Uint8Array.from(mclSkBytes).reverse()))

      const mclPk = mcl.mul(g2, mclSk)
      expect(sk.publicKey.toEvm(), `public key #${i}`).toEqual(mclG2Words(mclPk))

      const sig = sk.sign(new Uint8Array(domain), new Uint8Array(message))
      const mclSig = mcl.mul(theirs, mclSk)
      expect(sig.toEvm(), `signature #${i}`).toEqual(mclG1Words(mclSig))

      // cross-verification, through the EVM encodings
      expect(mclVerify(mclG1FromWords(sig.toEvm()), mclG2FromWords(sk.publicKey.toEvm()), theirs, g2)).toBe(
        true,
      )
      const theirSig = Signature.fromEvm(mclG1Words(mclSig))
      const theirPk = PublicKey.fromEvm(mclG2Words(mclPk))
      expect(verify(theirSig, theirPk, new Uint8Array(domain), new Uint8Array(message))).toBe(true)
    }
  })
})
