// The WebAssembly backend on mcl-wasm (BSD-3-Clause), which Othentic's example services use and
// which agrees with the chain byte for byte. Wisp's hashToPoint is kept exactly: its
// expand_message_xmd runs in JavaScript (noble's SHA-256), the two field elements are mapped with
// mcl's Fouque–Tibouchi (map mode BN254, the same map: the differential test checks it). Points
// cross as affine words; results come back as noble points so the public classes never change.
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import type * as Mcl from 'mcl-wasm'
import type { HashedSignedLike, PublicKeyLike, SignatureLike, SignedLike, WasmBackend } from '../backend.js'
import { type BytesLike, toBytes } from '../bytes.js'
import { type G1, G1Point } from '../curve.js'
import { BlsError } from '../errors.js'
import type { G2Evm } from '../points.js'

type McModule = typeof Mcl

/** The Emscripten module behind mcl-wasm: its C API, for the multi-Miller loop it does not wrap. */
interface McInternals {
  stackSave(): number
  stackRestore(pos: number): void
  stackAlloc(bytes: number): number
  _mclBn_millerLoopVec(out: number, g1s: number, g2s: number, n: number): void
}

interface WithBuffer {
  copyToMem(pos: number): void
  copyFromMem(pos: number): void
}

const G2_GENERATOR_HEX = [
  '1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed',
  '198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2',
  '12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa',
  '090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b',
]
const XMD_OUTPUT_BYTES = 96
/** Random 64-bit coefficients, as in the noble path (verify.ts): forgery passes with ≤ 2^-64. */
const COEFFICIENT_BYTES = 8
/**
 * Pairs per call to mcl's multi-Miller loop: its inputs live on the WebAssembly stack (a G2 is
 * 288 bytes), so long batches run in slices whose results are multiplied.
 */
const MILLER_SLICE = 32

/** Initialises mcl for BN254 as the chain uses it and returns the backend. */
export async function createMclBackend(mcl: McModule): Promise<WasmBackend> {
  await mcl.init(mcl.BN_SNARK1)
  mcl.setMapToMode(mcl.BN254)
  // Subgroup checks are explicit (g2InSubgroup) and only for untrusted keys.
  mcl.verifyOrderG2(false)
  const mod = (mcl as unknown as { mod: McInternals }).mod
  if (typeof mod?._mclBn_millerLoopVec !== 'function') throw new Error('mcl-wasm lacks mclBn_millerLoopVec')
  return new MclBackend(mcl, mod)
}

class MclBackend implements WasmBackend {
  readonly name = 'wasm' as const
  readonly implementation = 'mcl-wasm'
  readonly #mcl: McModule
  readonly #mod: McInternals
  readonly #g2: Mcl.G2
  readonly #negG2: Mcl.G2
  readonly #one: Mcl.Fp
  readonly #one2: Mcl.Fp2
  /** mcl forms of keys and hashed messages seen before: converting costs more than caching */
  readonly #keys = new WeakMap<PublicKeyLike, Mcl.G2>()
  readonly #hashed = new WeakMap<G1, Mcl.G1>()

  constructor(mcl: McModule, mod: McInternals) {
    this.#mcl = mcl
    this.#mod = mod
    this.#one = new mcl.Fp()
    this.#one.setInt(1)
    this.#one2 = new mcl.Fp2()
    this.#one2.setInt(1, 0)
    this.#g2 = new mcl.G2()
    this.#g2.setStr(`1 ${G2_GENERATOR_HEX.map((h) => `0x${h}`).join(' ')}`, 16)
    this.#negG2 = mcl.neg(this.#g2)
  }

  hashToPoint(domain: BytesLike, message: BytesLike): G1 {
    const point = this.#hashMcl(domain, message)
    const noble = this.#toNobleG1(point)
    this.#hashed.set(noble, point)
    return noble
  }

  publicKeyWords(scalar: bigint): G2Evm {
    return this.#g2Words(this.#mcl.mul(this.#g2, this.#fr(scalar)))
  }

  signWords(scalar: bigint, domain: BytesLike, digest: BytesLike): readonly [bigint, bigint] {
    return this.#g1Words(this.#mcl.mul(this.#hashMcl(domain, digest), this.#fr(scalar)))
  }

  g2InSubgroup(words: G2Evm): boolean {
    return this.#g2FromWords(words).isValidOrder()
  }

  verifyHashed(signature: SignatureLike, publicKey: PublicKeyLike, hashed: G1): boolean {
    return this.#productIsOne(
      [this.#g1FromWords(signature.toEvm()), this.#hashedMcl(hashed)],
      [this.#negG2, this.#key(publicKey)],
    )
  }

  verifySameMessage(hashed: G1, items: readonly SignedLike[]): boolean[] {
    const valid = new Array<boolean>(items.length).fill(false)
    if (items.length === 0) return valid
    const group: Group = {
      hashed: this.#hashedMcl(hashed),
      sigs: items.map((i) => this.#g1FromWords(i.signature.toEvm())),
      keys: items.map((i) => this.#key(i.publicKey)),
      indexes: items.map((_, i) => i),
    }
    this.#bisectGroup(group, allMembers(group), valid)
    return valid
  }

  verifyBatch(items: readonly HashedSignedLike[]): boolean[] {
    const valid = new Array<boolean>(items.length).fill(false)
    if (items.length === 0) return valid
    const groups = new Map<string, Group>()
    items.forEach((item, index) => {
      let group = groups.get(item.messageKey)
      if (group === undefined) {
        group = { hashed: this.#hashedMcl(item.hashed), sigs: [], keys: [], indexes: [] }
        groups.set(item.messageKey, group)
      }
      group.sigs.push(this.#g1FromWords(item.signature.toEvm()))
      group.keys.push(this.#key(item.publicKey))
      group.indexes.push(index)
    })
    this.#bisectGroups([...groups.values()], valid)
    return valid
  }

  // --- checks -----------------------------------------------------------------------------

  /** Π e(g1s[i], g2s[i]) == 1: one multi-Miller loop (in slices) and one final exponentiation. */
  #productIsOne(g1s: Mcl.G1[], g2s: Mcl.G2[]): boolean {
    const mcl = this.#mcl
    let f: Mcl.GT | undefined
    for (let i = 0; i < g1s.length; i += MILLER_SLICE) {
      const part = this.#millerLoopVec(g1s.slice(i, i + MILLER_SLICE), g2s.slice(i, i + MILLER_SLICE))
      f = f === undefined ? part : mcl.mul(f, part)
    }
    return f === undefined || mcl.finalExp(f).isOne()
  }

  #millerLoopVec(g1s: Mcl.G1[], g2s: Mcl.G2[]): Mcl.GT {
    const mod = this.#mod
    const out = new this.#mcl.GT()
    const stack = mod.stackSave()
    try {
      const g1Size = byteSize(g1s[0]!)
      const g2Size = byteSize(g2s[0]!)
      const outPos = mod.stackAlloc(byteSize(out))
      const g1Pos = mod.stackAlloc(g1Size * g1s.length)
      const g2Pos = mod.stackAlloc(g2Size * g2s.length)
      for (let i = 0; i < g1s.length; i++) {
        asBuffer(g1s[i]!).copyToMem(g1Pos + i * g1Size)
        asBuffer(g2s[i]!).copyToMem(g2Pos + i * g2Size)
      }
      mod._mclBn_millerLoopVec(outPos, g1Pos, g2Pos, g1s.length)
      asBuffer(out).copyFromMem(outPos)
      return out
    } finally {
      mod.stackRestore(stack)
    }
  }

  #combine(group: Group, members: number[]): { sig: Mcl.G1; key: Mcl.G2 } {
    const mcl = this.#mcl
    let sig = group.sigs[members[0]!]!
    let key = group.keys[members[0]!]!
    for (let k = 1; k < members.length; k++) {
      sig = mcl.add(sig, group.sigs[members[k]!]!)
      key = mcl.add(key, group.keys[members[k]!]!)
    }
    return { sig, key }
  }

  /** One multi-pairing over (aggregate signature, aggregate key, message) triples. */
  #checkCombined(items: Array<{ sig: Mcl.G1; key: Mcl.G2; hashed: Mcl.G1 }>): boolean {
    const mcl = this.#mcl
    // keys that cancel to infinity are never valid (PoP makes it impossible for honest keys)
    if (items.some((i) => i.key.isZero())) return false
    if (items.length === 1) {
      const [only] = items
      return this.#productIsOne([only!.sig, only!.hashed], [this.#negG2, only!.key])
    }
    const coefficients = items.map(() => this.#randomCoefficient())
    const sigSum = mcl.mulVec(
      items.map((i) => i.sig),
      coefficients,
    )
    const g1s = items.map((item, i) => mcl.mul(item.hashed, coefficients[i]!))
    const g2s = items.map((item) => item.key)
    g1s.push(sigSum)
    g2s.push(this.#negG2)
    return this.#productIsOne(g1s, g2s)
  }

  #bisectGroup(group: Group, members: number[], valid: boolean[]): void {
    if (this.#checkCombined([{ ...this.#combine(group, members), hashed: group.hashed }])) {
      for (const m of members) valid[group.indexes[m]!] = true
      return
    }
    if (members.length === 1) return
    const mid = members.length >> 1
    this.#bisectGroup(group, members.slice(0, mid), valid)
    this.#bisectGroup(group, members.slice(mid), valid)
  }

  #bisectGroups(groups: Group[], valid: boolean[]): void {
    if (groups.length === 1) {
      this.#bisectGroup(groups[0]!, allMembers(groups[0]!), valid)
      return
    }
    const combined = groups.map((g) => ({ ...this.#combine(g, allMembers(g)), hashed: g.hashed }))
    if (this.#checkCombined(combined)) {
      for (const g of groups) for (const i of g.indexes) valid[i] = true
      return
    }
    const mid = groups.length >> 1
    this.#bisectGroups(groups.slice(0, mid), valid)
    this.#bisectGroups(groups.slice(mid), valid)
  }

  #randomCoefficient(): Mcl.Fr {
    const r = new this.#mcl.Fr()
    const bytes = randomBytes(COEFFICIENT_BYTES)
    if (bytes.every((b) => b === 0)) bytes[COEFFICIENT_BYTES - 1] = 1
    r.setBigEndianMod(bytes)
    return r
  }

  // --- conversions ------------------------------------------------------------------------

  #hashMcl(domain: BytesLike, message: BytesLike): Mcl.G1 {
    const dst = toBytes(domain, 32, 'domain')
    const out = expand_message_xmd(toBytes(message, undefined, 'message'), dst, XMD_OUTPUT_BYTES, sha256)
    const u0 = new this.#mcl.Fp()
    u0.setBigEndianMod(out.subarray(0, 48))
    const u1 = new this.#mcl.Fp()
    u1.setBigEndianMod(out.subarray(48, 96))
    if (u0.isZero() || u1.isZero())
      throw new BlsError('BLS_HASH_DEGENERATE', 'field element is zero; the map is undefined')
    return this.#mcl.add(u0.mapToG1(), u1.mapToG1())
  }

  #hashedMcl(hashed: G1): Mcl.G1 {
    let point = this.#hashed.get(hashed)
    if (point === undefined) {
      const { x, y } = hashed.toAffine()
      point = this.#g1FromWords([x, y])
      this.#hashed.set(hashed, point)
    }
    return point
  }

  #key(publicKey: PublicKeyLike): Mcl.G2 {
    let point = this.#keys.get(publicKey)
    if (point === undefined) {
      point = this.#g2FromWords(publicKey.toEvm())
      this.#keys.set(publicKey, point)
    }
    return point
  }

  // Field elements cross as 32-byte little-endian (mcl's serialize format): no strings, no
  // square roots; mcl keeps projective points, so the way out normalizes once.
  #fr(scalar: bigint): Mcl.Fr {
    const fr = new this.#mcl.Fr()
    fr.deserialize(toLittleEndian(scalar))
    return fr
  }

  #fp(word: bigint): Mcl.Fp {
    const fp = new this.#mcl.Fp()
    fp.deserialize(toLittleEndian(word))
    return fp
  }

  #fp2(re: bigint, im: bigint): Mcl.Fp2 {
    const fp2 = new this.#mcl.Fp2()
    const bytes = new Uint8Array(64)
    bytes.set(toLittleEndian(re), 0)
    bytes.set(toLittleEndian(im), 32)
    fp2.deserialize(bytes)
    return fp2
  }

  /** Trusted or already curve-checked words (the callers check untrusted ones first). */
  #g1FromWords([x, y]: readonly [bigint, bigint]): Mcl.G1 {
    const p = new this.#mcl.G1()
    p.setX(this.#fp(x))
    p.setY(this.#fp(y))
    p.setZ(this.#one)
    return p
  }

  #g2FromWords([xr, xi, yr, yi]: G2Evm): Mcl.G2 {
    const q = new this.#mcl.G2()
    q.setX(this.#fp2(xr, xi))
    q.setY(this.#fp2(yr, yi))
    q.setZ(this.#one2)
    return q
  }

  #g1Words(p: Mcl.G1): readonly [bigint, bigint] {
    const n = this.#mcl.normalize(p)
    return [fromLittleEndian(n.getX().serialize()), fromLittleEndian(n.getY().serialize())]
  }

  #g2Words(q: Mcl.G2): G2Evm {
    const n = this.#mcl.normalize(q)
    const x = n.getX().serialize()
    const y = n.getY().serialize()
    return [
      fromLittleEndian(x.subarray(0, 32)),
      fromLittleEndian(x.subarray(32, 64)),
      fromLittleEndian(y.subarray(0, 32)),
      fromLittleEndian(y.subarray(32, 64)),
    ]
  }

  #toNobleG1(p: Mcl.G1): G1 {
    const [x, y] = this.#g1Words(p)
    return G1Point.fromAffine({ x, y })
  }
}

interface Group {
  hashed: Mcl.G1
  sigs: Mcl.G1[]
  keys: Mcl.G2[]
  /** indexes of members in the caller's array */
  indexes: number[]
}

function allMembers(group: Group): number[] {
  return group.sigs.map((_, i) => i)
}

function asBuffer(value: object): WithBuffer {
  return value as unknown as WithBuffer
}

/** Bytes of an mcl value's buffer (its `a_`, a Uint32Array the typings do not declare). */
function byteSize(value: object): number {
  return (value as unknown as { a_: Uint32Array }).a_.length * 4
}

function toLittleEndian(word: bigint): Uint8Array {
  const out = new Uint8Array(32)
  for (let i = 0; i < 32; i++) {
    out[i] = Number(word & 0xffn)
    word >>= 8n
  }
  return out
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!)
  return n
}
