// mcl-wasm (BN_SNARK1, map mode BN254) as an independent reference implementation: the library
// Othentic's example services use. Dev-only: used by the differential test and the benchmarks.
import { createHash } from 'node:crypto'
import mcl from 'mcl-wasm'

let ready: Promise<void> | undefined
export function initMcl(): Promise<void> {
  ready ??= (async () => {
    await mcl.init(mcl.BN_SNARK1)
    mcl.setMapToMode(mcl.BN254)
  })()
  return ready
}

export { mcl }

const G2_GEN =
  '1 0x1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed 0x198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2 0x12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa 0x090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b'

export function g2Generator(): mcl.G2 {
  const q = new mcl.G2()
  q.setStr(G2_GEN, 16)
  return q
}

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest())

/** RFC 9380 §5.3.1 expand_message_xmd with SHA-256, written independently of noble's. */
export function expandMessageXmd(msg: Uint8Array, dst: Uint8Array, len: number): Uint8Array {
  const dstPrime = Buffer.concat([dst, Buffer.from([dst.length])])
  const b0 = sha256(Buffer.concat([Buffer.alloc(64), msg, Buffer.from([len >> 8, len & 0xff, 0]), dstPrime]))
  const out: Uint8Array[] = []
  let prev = sha256(Buffer.concat([b0, Buffer.from([1]), dstPrime]))
  out.push(prev)
  for (let i = 2; out.length * 32 < len; i++) {
    const x = b0.map((b, j) => b ^ prev[j]!)
    prev = sha256(Buffer.concat([x, Buffer.from([i]), dstPrime]))
    out.push(prev)
  }
  return Buffer.concat(out).subarray(0, len)
}

export function mclHashToPoint(domain: Uint8Array, message: Uint8Array): mcl.G1 {
  const out = expandMessageXmd(message, domain, 96)
  const u0 = new mcl.Fp()
  u0.setBigEndianMod(out.subarray(0, 48))
  const u1 = new mcl.Fp()
  u1.setBigEndianMod(out.subarray(48, 96))
  return mcl.add(u0.mapToG1(), u1.mapToG1())
}

/** Othentic's derivation: Fr.setHashOf("0x" + hex of the ECDSA key). */
export function mclSecretKeyFromEcdsa(ecdsaHex: string): mcl.Fr {
  const sk = new mcl.Fr()
  sk.setHashOf(ecdsaHex.toLowerCase())
  return sk
}

export function mclG1Words(p: mcl.G1): [bigint, bigint] {
  const n = mcl.normalize(p) as mcl.G1
  const [, x, y] = n.getStr(16).split(' ')
  return [BigInt(`0x${x}`), BigInt(`0x${y}`)]
}

export function mclG2Words(p: mcl.G2): [bigint, bigint, bigint, bigint] {
  const n = mcl.normalize(p) as mcl.G2
  const [, xa, xb, ya, yb] = n.getStr(16).split(' ')
  return [BigInt(`0x${xa}`), BigInt(`0x${xb}`), BigInt(`0x${ya}`), BigInt(`0x${yb}`)]
}

export function mclG1FromWords([x, y]: readonly [bigint, bigint]): mcl.G1 {
  const p = new mcl.G1()
  p.setStr(`1 0x${x.toString(16)} 0x${y.toString(16)}`, 16)
  return p
}

export function mclG2FromWords(w: readonly [bigint, bigint, bigint, bigint]): mcl.G2 {
  const p = new mcl.G2()
  p.setStr(`1 ${w.map((x) => `0x${x.toString(16)}`).join(' ')}`, 16)
  return p
}

/** How a service built on mcl verifies one signature: two pairings compared. */
export function mclVerify(sig: mcl.G1, pk: mcl.G2, hashed: mcl.G1, g2: mcl.G2): boolean {
  return mcl.pairing(sig, g2).isEqual(mcl.pairing(hashed, pk))
}
