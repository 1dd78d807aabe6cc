// Verification: single, same-message aggregate with bisection, and batches of distinct messages
// with random linear coefficients — all reduced to one multi-Miller-loop and one final
// exponentiation per check, which is where the time goes (docs/protocol.md §2: e(sig, −G2)·e(H(m), pk) == 1).
import { randomBytes } from '@noble/hashes/utils.js'
import { activeWasm, type HashedSignedLike } from './backend.js'
import type { BytesLike } from './bytes.js'
import { curve, Fp12, type G1, G1Point, type G2, G2Point, R } from './curve.js'
import { BlsError } from './errors.js'
import { hashToPoint } from './hash-to-point.js'
import { PublicKey, Signature } from './keys.js'

type Precompute = ReturnType<typeof curve.utils.calcPairingPrecomputes>

let negG2Precompute: Precompute | undefined
/** Line coefficients of −G2gen, shared by every check. */
function negG2(): Precompute {
  negG2Precompute ??= curve.utils.calcPairingPrecomputes(G2Point.BASE.negate())
  return negG2Precompute
}

/** Π e(g1_i, g2_i) == 1 over precomputed G2 sides; pairs with G1 at infinity contribute 1. */
function productIsOne(pairs: Array<[G1, Precompute]>): boolean {
  const input: Array<[Precompute, bigint, bigint]> = []
  for (const [g1, pre] of pairs) {
    if (g1.is0()) continue
    const { x, y } = g1.toAffine()
    input.push([pre, x, y])
  }
  if (input.length === 0) return true
  return Fp12.eql(Fp12.finalExponentiate(curve.millerLoopBatch(input)), Fp12.ONE)
}

/** Checks sig against a message point already hashed with {@link hashToPoint}. */
export function verifyHashed(signature: Signature, publicKey: PublicKey, hashed: G1): boolean {
  const wasm = activeWasm()
  if (wasm !== undefined) return wasm.verifyHashed(signature, publicKey, hashed)
  return productIsOne([
    [signature.point, negG2()],
    [hashed, publicKey.precompute],
  ])
}

/** e(sig, −G2) · e(hashToPoint(domain, digest), pk) == 1 */
export function verify(
  signature: Signature,
  publicKey: PublicKey,
  domain: BytesLike,
  digest: BytesLike,
): boolean {
  return verifyHashed(signature, publicKey, hashToPoint(domain, digest))
}

export function aggregateSignatures(signatures: readonly Signature[]): Signature {
  if (signatures.length === 0) throw new BlsError('BLS_EMPTY_INPUT', 'no signatures to aggregate')
  let sum = G1Point.ZERO
  for (const s of signatures) sum = sum.add(s.point)
  return new Signature(sum)
}

export function aggregatePublicKeys(publicKeys: readonly PublicKey[]): PublicKey {
  if (publicKeys.length === 0) throw new BlsError('BLS_EMPTY_INPUT', 'no public keys to aggregate')
  if (publicKeys.length === 1) return publicKeys[0]!
  let sum = G2Point.ZERO
  for (const k of publicKeys) sum = sum.add(k.point)
  return new PublicKey(sum)
}

/** One signer's vote on a shared message. */
export interface SignedBy {
  signature: Signature
  publicKey: PublicKey
}

/** A signature over its own message. */
export interface SignedMessage extends SignedBy {
  domain: BytesLike
  digest: BytesLike
}

/**
 * Random 64-bit coefficients make a forged batch pass with probability ≤ 2^-64 while costing a
 * quarter of a full scalar multiplication (the approach of Lodestar and blst's batch verify).
 */
const COEFFICIENT_BYTES = 8

function randomCoefficient(): bigint {
  let r = 0n
  for (const b of randomBytes(COEFFICIENT_BYTES)) r = (r << 8n) | BigInt(b)
  return r === 0n ? 1n : r % R
}

interface Group {
  hashed: G1
  members: SignedBy[]
  /** indexes of members in the caller's array */
  indexes: number[]
}

interface Combined {
  signature: G1
  keyPrecompute: Precompute | undefined
  hashed: G1
}

function combine(group: Group, members: number[]): Combined {
  let sig = G1Point.ZERO
  let key: G2 = G2Point.ZERO
  for (const m of members) {
    sig = sig.add(group.members[m]!.signature.point)
    key =
      members.length === 1 ? group.members[m]!.publicKey.point : key.add(group.members[m]!.publicKey.point)
  }
  // A single key reuses its cached lines; an aggregate needs fresh ones (≈2 ms, still far below a pairing).
  const keyPrecompute =
    members.length === 1
      ? group.members[members[0]!]!.publicKey.precompute
      : key.is0()
        ? undefined
        : curve.utils.calcPairingPrecomputes(key)
  return { signature: sig, keyPrecompute, hashed: group.hashed }
}

/** One multi-pairing over several (aggregate signature, aggregate key, message) triples. */
function checkCombined(items: Combined[]): boolean {
  // An aggregate key at infinity means keys cancelled: never valid (PoP should make it impossible).
  if (items.some((i) => i.keyPrecompute === undefined)) return false
  if (items.length === 1) {
    const [only] = items
    return productIsOne([
      [only!.signature, negG2()],
      [only!.hashed, only!.keyPrecompute!],
    ])
  }
  let sigSum = G1Point.ZERO
  const pairs: Array<[G1, Precompute]> = []
  for (const item of items) {
    const r = randomCoefficient()
    sigSum = sigSum.add(item.signature.multiplyUnsafe(r))
    pairs.push([item.hashed.multiplyUnsafe(r), item.keyPrecompute!])
  }
  pairs.push([sigSum, negG2()])
  return productIsOne(pairs)
}

/** Finds the bad members of one same-message group by halving: O(k·log n) checks for k bad. */
function bisectGroup(group: Group, members: number[], valid: boolean[]): void {
  if (checkCombined([combine(group, members)])) {
    for (const m of members) valid[group.indexes[m]!] = true
    return
  }
  if (members.length === 1) return
  const mid = members.length >> 1
  bisectGroup(group, members.slice(0, mid), valid)
  bisectGroup(group, members.slice(mid), valid)
}

function allMembers(group: Group): number[] {
  return group.members.map((_, i) => i)
}

function bisectGroups(groups: Group[], valid: boolean[]): void {
  if (groups.length === 1) {
    bisectGroup(groups[0]!, allMembers(groups[0]!), valid)
    return
  }
  if (checkCombined(groups.map((g) => combine(g, allMembers(g))))) {
    for (const g of groups) for (const i of g.indexes) valid[i] = true
    return
  }
  const mid = groups.length >> 1
  bisectGroups(groups.slice(0, mid), valid)
  bisectGroups(groups.slice(mid), valid)
}

/**
 * Many signers over one message: aggregate and check with one pairing; on failure, bisect to name
 * the bad signatures. Returns per-item validity in input order.
 */
export function verifySameMessage(
  domain: BytesLike,
  digest: BytesLike,
  items: readonly SignedBy[],
): boolean[] {
  if (items.length === 0) return []
  const wasm = activeWasm()
  if (wasm !== undefined) return wasm.verifySameMessage(hashToPoint(domain, digest), items)
  const valid = new Array<boolean>(items.length).fill(false)
  const group: Group = {
    hashed: hashToPoint(domain, digest),
    members: [...items],
    indexes: items.map((_, i) => i),
  }
  bisectGroup(group, allMembers(group), valid)
  return valid
}

/**
 * Any mix of messages: items sharing a message are aggregated, then all messages are checked in one
 * multi-pairing with random coefficients; on failure the batch is split until the bad items are named.
 */
export function verifyBatch(items: readonly SignedMessage[]): boolean[] {
  if (items.length === 0) return []
  const wasm = activeWasm()
  if (wasm !== undefined) {
    const groups = groupByMessage(items)
    const hashedItems = new Array<HashedSignedLike>(items.length)
    groups.forEach((g, k) => {
      g.indexes.forEach((index, m) => {
        hashedItems[index] = { ...g.members[m]!, hashed: g.hashed, messageKey: String(k) }
      })
    })
    return wasm.verifyBatch(hashedItems)
  }
  const valid = new Array<boolean>(items.length).fill(false)
  bisectGroups(groupByMessage(items), valid)
  return valid
}

function messageKey(domain: BytesLike, digest: BytesLike): string {
  const hex = (b: BytesLike) =>
    typeof b === 'string' ? b.toLowerCase() : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex(domain)}|${hex(digest)}`
}

function groupByMessage(items: readonly SignedMessage[]): Group[] {
  const groups = new Map<string, Group>()
  items.forEach((item, index) => {
    const key = messageKey(item.domain, item.digest)
    let group = groups.get(key)
    if (group === undefined) {
      group = { hashed: hashToPoint(item.domain, item.digest), members: [], indexes: [] }
      groups.set(key, group)
    }
    group.members.push(item)
    group.indexes.push(index)
  })
  return [...groups.values()]
}
