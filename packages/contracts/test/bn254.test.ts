// The Solidity BN254 library against the spec vectors and against @wisp/bls (noble), on a real anvil.
import { readFileSync } from 'node:fs'
import { aggregatePublicKeys, hashToField, hashToPointEvm, SecretKey } from '@wisp/bls'
import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { type Address, encodeAbiParameters, type Hex, keccak256, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Anvil, startAnvil } from '../src/dev/index.js'
import { bn254HarnessAbi, bn254HarnessBytecode } from '../src/index.js'
import { type Client, deploy, GOVERNANCE_KEY, makeClient } from './support/network.js'

interface Vectors {
  keyDerivation: { ecdsaPrivateKey: Hex; blsPublicKey: Hex[] }[]
  task: { taskHash: Hex; hashToPointOfTaskHash: Hex[]; blsPerformerSignature: Hex[] }
}
const vectors = JSON.parse(
  // the repository's test vectors (docs/protocol.md §7; packages/protocol has an identical copy)
  readFileSync(new URL('../../bls/test/fixtures/vectors.json', import.meta.url), 'utf8'),
) as Vectors

const P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n
const encodeDigest = (digest: Hex) => encodeAbiParameters([{ type: 'bytes32' }], [digest])

let anvil: Anvil
let client: Client
let harness: Address

beforeAll(async () => {
  anvil = await startAnvil()
  client = makeClient(anvil)
  harness = await deploy(client, privateKeyToAccount(GOVERNANCE_KEY), bn254HarnessAbi, bn254HarnessBytecode)
})

afterAll(async () => {
  await anvil?.stop()
})

const read = <T>(functionName: string, args: readonly unknown[]) =>
  client.readContract({ address: harness, abi: bn254HarnessAbi, functionName, args } as never) as Promise<T>

describe('hashToPoint', () => {
  it('matches the spec vector hashToPoint(DOMAIN_TASKS, taskHash)', async () => {
    const point = await read<readonly bigint[]>('hashToPoint', [
      DOMAIN_TASKS,
      encodeDigest(vectors.task.taskHash),
    ])
    expect(point.map((x) => x)).toEqual(vectors.task.hashToPointOfTaskHash.map(BigInt))
  })

  it('matches @wisp/bls on field elements and points for many digests and both domains', async () => {
    for (let i = 0; i < 24; i++) {
      const digest = keccak256(stringToHex(`digest-${i}`))
      const domain = i % 2 === 0 ? DOMAIN_TASKS : DOMAIN_AUTH
      const [u0, u1] = await read<readonly [bigint, bigint]>('hashToField', [domain, encodeDigest(digest)])
      expect([u0, u1]).toEqual(hashToField(domain, digest))
      const point = await read<readonly bigint[]>('hashToPoint', [domain, encodeDigest(digest)])
      expect([...point]).toEqual([...hashToPointEvm(domain, digest)])
    }
  })
})

describe('pairing check', () => {
  it('accepts the spec vector performer signature and refuses a tampered one', async () => {
    const pk = vectors.keyDerivation[0]!.blsPublicKey.map(BigInt)
    const h = vectors.task.hashToPointOfTaskHash.map(BigInt)
    const sig = vectors.task.blsPerformerSignature.map(BigInt)
    expect(await read<boolean>('verify', [sig, pk, h])).toBe(true)
    expect(await read<boolean>('verify', [[sig[0], P - sig[1]!], pk, h])).toBe(false)
    expect(await read<boolean>('verify', [[1n, 3n], pk, h])).toBe(false) // off curve
  })

  it('derives the vector key with SecretKey.fromEcdsaPrivateKey', () => {
    const sk = SecretKey.fromEcdsaPrivateKey(vectors.keyDerivation[0]!.ecdsaPrivateKey)
    expect([...sk.publicKey.toEvm()]).toEqual(vectors.keyDerivation[0]!.blsPublicKey.map(BigInt))
  })
})

describe('G2 aggregation', () => {
  const keys = Array.from(
    { length: 9 },
    (_, i) => SecretKey.fromEcdsaPrivateKey(keccak256(stringToHex(`g2-${i}`))).publicKey,
  )

  it('sums keys like noble, for 1..9 keys', async () => {
    for (let n = 1; n <= keys.length; n++) {
      const onChain = await read<readonly bigint[]>('aggregate', [keys.slice(0, n).map((k) => k.toEvm())])
      expect([...onChain]).toEqual([...aggregatePublicKeys(keys.slice(0, n)).toEvm()])
    }
  })

  it('handles doubling (a key twice) and P + (−P) = infinity', async () => {
    const k = keys[0]!.toEvm()
    const doubled = await read<readonly bigint[]>('aggregate', [[k, k, keys[1]!.toEvm()]])
    expect([...doubled]).toEqual([...aggregatePublicKeys([keys[0]!, keys[0]!, keys[1]!]).toEvm()])
    const negated = [k[0], k[1], (P - k[2]) % P, (P - k[3]) % P] as const
    const zero = await read<readonly bigint[]>('aggregate', [[k, negated]])
    expect([...zero]).toEqual([0n, 0n, 0n, 0n])
    const back = await read<readonly bigint[]>('aggregate', [[k, negated, keys[2]!.toEvm()]])
    expect([...back]).toEqual([...keys[2]!.toEvm()])
  })

  it('refuses keys on the twist but outside the order-r subgroup (pairing precompile)', async () => {
    const point = twistPointOutsideSubgroup()
    expect(await read<boolean>('isOnCurveG2', [point])).toBe(true)
    expect(await read<boolean>('pairingAccepts', [[1n, 2n], keys[0]!.toEvm()])).toBe(true)
    expect(await read<boolean>('pairingAccepts', [[1n, 2n], point])).toBe(false)
  })

  it('checks G2 curve membership', async () => {
    expect(await read<boolean>('isOnCurveG2', [keys[3]!.toEvm()])).toBe(true)
    const k = keys[3]!.toEvm()
    expect(await read<boolean>('isOnCurveG2', [[k[0], k[1], k[2], (k[3] + 1n) % P]])).toBe(false)
    expect(await read<boolean>('isOnCurveG2', [[0n, 0n, 0n, 0n]])).toBe(false)
  })
})

// ---------------------------------------------------------------- Fp2 helpers (test only)

type Fp2 = readonly [bigint, bigint]
const mod = (a: bigint) => ((a % P) + P) % P
const f2mul = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] * b[0] - a[1] * b[1]), mod(a[0] * b[1] + a[1] * b[0])]
const f2add = (a: Fp2, b: Fp2): Fp2 => [mod(a[0] + b[0]), mod(a[1] + b[1])]
function f2pow(a: Fp2, e: bigint): Fp2 {
  let result: Fp2 = [1n, 0n]
  let base = a
  while (e > 0n) {
    if (e & 1n) result = f2mul(result, base)
    base = f2mul(base, base)
    e >>= 1n
  }
  return result
}
function fpPow(a: bigint, e: bigint): bigint {
  let result = 1n
  let base = mod(a)
  while (e > 0n) {
    if (e & 1n) result = (result * base) % P
    base = (base * base) % P
    e >>= 1n
  }
  return result
}
const fpInv = (a: bigint) => fpPow(a, P - 2n)

/** Square root in Fp2 for p ≡ 3 (mod 4) (Adj & Rodríguez-Henríquez, algorithm 9); undefined if none. */
function f2sqrt(a: Fp2): Fp2 | undefined {
  const a1 = f2pow(a, (P - 3n) / 4n)
  const alpha = f2mul(f2mul(a1, a1), a)
  const conjAlpha: Fp2 = [alpha[0], mod(-alpha[1])] // alpha^p
  const a0 = f2mul(conjAlpha, alpha)
  if (a0[0] === P - 1n && a0[1] === 0n) return undefined
  const x0 = f2mul(a1, a)
  if (alpha[0] === P - 1n && alpha[1] === 0n) return f2mul([0n, 1n], x0)
  const b = f2pow(f2add([1n, 0n], alpha), (P - 1n) / 2n)
  return f2mul(b, x0)
}

/** A point of y² = x³ + 3/(9+i) that is (overwhelmingly likely) not in the order-r subgroup. */
function twistPointOutsideSubgroup(): readonly [bigint, bigint, bigint, bigint] {
  const inv82 = fpInv(82n)
  const b2: Fp2 = [mod(27n * inv82), mod(-3n * inv82)]
  for (let k = 1n; ; k++) {
    const x: Fp2 = [k, 1n]
    const rhs = f2add(f2mul(f2mul(x, x), x), b2)
    const y = f2sqrt(rhs)
    if (y && f2mul(y, y)[0] === rhs[0] && f2mul(y, y)[1] === rhs[1]) return [x[0], x[1], y[0], y[1]]
  }
}
