// hashToPoint exactly as Othentic's contracts and mcl (BN_SNARK1, map mode BN254) do it:
// docs/protocol.md §2. Not RFC 9380's SVDW and not try-and-increment.
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { activeWasm } from './backend.js'
import { type BytesLike, bytesToBigInt, toBytes } from './bytes.js'
import { Fp, type G1, G1Point, P } from './curve.js'
import { BlsError } from './errors.js'
import { type G1Evm, g1ToEvm } from './points.js'

/** sqrt(−3) mod p. */
const Z0 = 0x0000000000000000b3c4d79d41a91759a9e4c7e359b6b89eaec68e62effffffdn
/** (sqrt(−3) − 1) / 2 mod p. */
const Z1 = 0x000000000000000059e26bcea0d48bacd4f263f1acdb5c4f5763473177fffffen
/** p ≡ 3 (mod 4), so a square root is a single exponentiation. */
const SQRT_EXP = (P + 1n) / 4n
const LEGENDRE_EXP = (P - 1n) / 2n
const B = 3n
const XMD_OUTPUT_BYTES = 96

function sqrtIfSquare(a: bigint): bigint | undefined {
  const root = Fp.pow(a, SQRT_EXP)
  return Fp.eql(Fp.sqr(root), a) ? root : undefined
}

/** Fouque–Tibouchi for y² = x³ + 3, with mcl's choice of candidate order and sign. */
export function mapToPoint(u: bigint): G1 {
  u = Fp.create(u)
  if (u === 0n) throw new BlsError('BLS_HASH_DEGENERATE', 'field element is zero; the map is undefined')
  const a0 = Fp.add(Fp.sqr(u), 4n)
  const a1 = Fp.mul(u, Z0)
  const a2 = Fp.inv(Fp.mul(a1, a0))
  const w = Fp.mul(Fp.mul(u, Fp.sqr(a1)), a2)
  const x1 = Fp.sub(Z1, w)
  const x2 = Fp.neg(Fp.add(x1, 1n))
  const x3 = Fp.add(1n, Fp.mul(Fp.sqr(Fp.sqr(a0)), Fp.sqr(a2)))
  for (const x of [x1, x2, x3]) {
    const y = sqrtIfSquare(Fp.add(Fp.mul(Fp.sqr(x), x), B))
    if (y === undefined) continue
    // mcl negates y when u is a non-residue; Legendre symbol via Euler's criterion.
    const uIsSquare = Fp.pow(u, LEGENDRE_EXP) === 1n
    return G1Point.fromAffine({ x, y: uIsSquare ? y : Fp.neg(y) })
  }
  // Unreachable: one of the three candidates is always a square (Shallue–van de Woestijne).
  throw new BlsError('BLS_HASH_DEGENERATE', 'no Fouque–Tibouchi candidate was a square')
}

/** The two field elements that expand_message_xmd(SHA-256, 96 bytes, DST = domain) gives. */
export function hashToField(domain: BytesLike, message: BytesLike): [bigint, bigint] {
  const dst = toBytes(domain, 32, 'domain')
  const out = expand_message_xmd(toBytes(message, undefined, 'message'), dst, XMD_OUTPUT_BYTES, sha256)
  return [Fp.create(bytesToBigInt(out, 0, 48)), Fp.create(bytesToBigInt(out, 48, 48))]
}

/**
 * hashToPoint(domain, message) in G1. Othentic always hashes `abi.encode(bytes32 digest)`, which
 * is the 32-byte digest itself, so `message` is usually a taskHash, voteHash or authHash.
 */
export function hashToPoint(domain: BytesLike, message: BytesLike): G1 {
  const wasm = activeWasm()
  if (wasm !== undefined) return wasm.hashToPoint(domain, message)
  const [u0, u1] = hashToField(domain, message)
  return mapToPoint(u0).add(mapToPoint(u1))
}

/** hashToPoint as the contract's BLS library returns it: [x, y]. */
export function hashToPointEvm(domain: BytesLike, message: BytesLike): G1Evm {
  return g1ToEvm(hashToPoint(domain, message))
}
