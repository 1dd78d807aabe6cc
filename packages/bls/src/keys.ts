import { sha256 } from '@noble/hashes/sha2.js'
import { wordsToBytes, writeWord } from '@wisp/protocol'
import { activeWasm } from './backend.js'
import { type BytesLike, bytesToHex, type Hex, toBytes } from './bytes.js'
import { curve, Fp2, type G1, G1Point, type G2, G2Point, R } from './curve.js'
import { BlsError } from './errors.js'
import { hashToPoint } from './hash-to-point.js'
import {
  bytesToWords,
  G1_BYTES,
  type G1Evm,
  G2_BYTES,
  type G2Evm,
  g1FromEvm,
  g1FromJson,
  g1ToEvm,
  g1ToJson,
  g2FromEvm,
  g2ToEvm,
} from './points.js'

type PairingPrecompute = ReturnType<typeof curve.utils.calcPairingPrecomputes>

/** A G2 public key. Instances are always valid points (checked on construction from untrusted input). */
export class PublicKey {
  readonly point: G2
  #precompute: PairingPrecompute | undefined
  #evm: G2Evm | undefined

  /** Trusted constructor: callers pass points they derived or already validated. */
  constructor(point: G2) {
    this.point = point
  }

  static fromEvm(words: G2Evm): PublicKey {
    return new PublicKey(g2FromEvm(words, 'public key'))
  }

  static fromBytes(bytes: Uint8Array): PublicKey {
    return PublicKey.fromEvm(bytesToWords(bytes, 4, 'public key') as unknown as G2Evm)
  }

  toEvm(): G2Evm {
    this.#evm ??= g2ToEvm(this.point)
    return this.#evm
  }

  /** 128 bytes: abi.encode(uint256[4]) of [x.re, x.im, y.re, y.im]. */
  toBytes(): Uint8Array {
    return wordsToBytes(this.toEvm())
  }

  toHex(): Hex {
    return bytesToHex(this.toBytes())
  }

  equals(other: PublicKey): boolean {
    return this.point.equals(other.point)
  }

  /** Miller-loop line coefficients for this key: computed once, reused by every verification. */
  get precompute(): PairingPrecompute {
    this.#precompute ??= curve.utils.calcPairingPrecomputes(this.point)
    return this.#precompute
  }
}

/** A G1 signature. */
export class Signature {
  readonly point: G1

  constructor(point: G1) {
    this.point = point
  }

  static fromEvm(words: G1Evm): Signature {
    return new Signature(g1FromEvm(words, 'signature'))
  }

  static fromBytes(bytes: Uint8Array): Signature {
    return Signature.fromEvm(bytesToWords(bytes, 2, 'signature') as unknown as G1Evm)
  }

  /** Parses the `{"x":"0x…","y":"0x…"}` JSON string form. */
  static fromJson(json: string): Signature {
    return new Signature(g1FromJson(json))
  }

  toEvm(): G1Evm {
    return g1ToEvm(this.point)
  }

  /** 64 bytes: abi.encode(uint256[2]). */
  toBytes(): Uint8Array {
    return wordsToBytes(this.toEvm())
  }

  toHex(): Hex {
    return bytesToHex(this.toBytes())
  }

  toJson(): string {
    return g1ToJson(this.point)
  }

  equals(other: Signature): boolean {
    return this.point.equals(other.point)
  }
}

const MASK_254 = (1n << 254n) - 1n
const MASK_253 = (1n << 253n) - 1n
const SECRET_KEY_BYTES = 32

/** A scalar in [1, r). Keep it where it is used: in a worker, never on a page. */
export class SecretKey {
  readonly #scalar: bigint
  #publicKey: PublicKey | undefined

  private constructor(scalar: bigint) {
    if (scalar <= 0n || scalar >= R)
      throw new BlsError('BLS_INVALID_SECRET_KEY', 'secret key must be in [1, r)')
    this.#scalar = scalar
  }

  static random(): SecretKey {
    return SecretKey.fromBytes(curve.utils.randomSecretKey())
  }

  /** 32 bytes, big-endian (the EVM's uint256). */
  static fromBytes(bytes: BytesLike): SecretKey {
    const b = toBytes(bytes, SECRET_KEY_BYTES, 'secret key')
    let n = 0n
    for (const byte of b) n = (n << 8n) | BigInt(byte)
    return new SecretKey(n)
  }

  static fromScalar(scalar: bigint): SecretKey {
    return new SecretKey(scalar)
  }

  /**
   * The derivation of Othentic's example services (mcl `Fr.setHashOf`): SHA-256 of the ASCII string
   * "0x" + 64 lowercase hex chars of the ECDSA key, read little-endian, masked to 254 bits, or to 253
   * bits if still ≥ r. docs/protocol.md §2.
   */
  static fromEcdsaPrivateKey(ecdsaPrivateKey: BytesLike): SecretKey {
    const keyHex = bytesToHex(toBytes(ecdsaPrivateKey, 32, 'ECDSA private key')).toLowerCase()
    const digest = sha256(new TextEncoder().encode(keyHex))
    let n = 0n
    for (let i = digest.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(digest[i]!)
    n &= MASK_254
    if (n >= R) n &= MASK_253
    return new SecretKey(n)
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(SECRET_KEY_BYTES)
    writeWord(out, 0, this.#scalar)
    return out
  }

  get publicKey(): PublicKey {
    if (this.#publicKey === undefined) {
      const wasm = activeWasm()
      if (wasm === undefined) this.#publicKey = new PublicKey(G2Point.BASE.multiply(this.#scalar))
      else {
        const [xr, xi, yr, yi] = wasm.publicKeyWords(this.#scalar)
        this.#publicKey = new PublicKey(
          G2Point.fromAffine({ x: Fp2.create({ c0: xr, c1: xi }), y: Fp2.create({ c0: yr, c1: yi }) }),
        )
      }
    }
    return this.#publicKey
  }

  /** sig = sk · hashToPoint(domain, digest). */
  sign(domain: BytesLike, digest: BytesLike): Signature {
    const wasm = activeWasm()
    if (wasm !== undefined) {
      const [x, y] = wasm.signWords(this.#scalar, domain, digest)
      return new Signature(G1Point.fromAffine({ x, y }))
    }
    return this.signPoint(hashToPoint(domain, digest))
  }

  /** Signs an already hashed message point (lets callers hash once for many keys). */
  signPoint(hashed: G1): Signature {
    return new Signature(hashed.multiply(this.#scalar))
  }

  /** Never print the scalar. */
  toString(): string {
    return 'SecretKey(<redacted>)'
  }

  toJSON(): string {
    return this.toString()
  }
}

export { G1_BYTES, G2_BYTES }
