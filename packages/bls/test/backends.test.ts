// The WebAssembly backend against noble, the reference: random inputs through the public API on
// each backend must give identical bytes and verdicts; bad input the same coded errors; a module
// that fails to load leaves noble in place with a warning.
import { randomBytes } from 'node:crypto'
import { DOMAIN_AUTH, DOMAIN_TASKS } from '@wisp/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { blsBackend, initBls, isWorkerd } from '../src/backend.js'
import {
  aggregatePublicKeys,
  aggregateSignatures,
  BlsError,
  bytesToHex,
  hashToPointEvm,
  P,
  PublicKey,
  PublicKeyCache,
  SecretKey,
  Signature,
  type SignedMessage,
  toVerifyJob,
  verify,
  verifyBatch,
  verifyJobs,
  verifySameMessage,
} from '../src/index.js'
import { createMclBackend } from '../src/wasm/mcl.js'
import { selectBackend, wasmBackend } from './support/backends.js'

type Hex = `0x${string}`
const CASES = 40
const hex = (b: Uint8Array) => bytesToHex(new Uint8Array(b))

/** Runs fn on noble, then on WebAssembly, and returns both results. */
async function onBoth<T>(fn: () => T): Promise<{ noble: T; wasm: T }> {
  await selectBackend('noble')
  const noble = fn()
  await selectBackend('wasm')
  const wasm = fn()
  await selectBackend('noble')
  return { noble, wasm }
}

beforeAll(async () => {
  await wasmBackend()
})
afterAll(() => selectBackend('noble'))

describe(`WebAssembly vs noble on ${CASES} random keys and messages`, () => {
  it('identical hash points, keys, signatures and aggregates; each verifies the other', async () => {
    for (let i = 0; i < CASES; i++) {
      const domain = hex(
        i % 3 === 0 ? randomBytes(32) : Buffer.from((i % 2 ? DOMAIN_TASKS : DOMAIN_AUTH).slice(2), 'hex'),
      )
      const digest = hex(randomBytes(32))
      const secrets = [randomBytes(32), randomBytes(32), randomBytes(32)].map((b) => hex(b))
      const run = () => {
        const keys = secrets.map((s) => SecretKey.fromEcdsaPrivateKey(s))
        const sigs = keys.map((k) => k.sign(domain, digest))
        return {
          hash: hashToPointEvm(domain, digest),
          keys: keys.map((k) => k.publicKey.toHex()),
          sigs: sigs.map((s) => s.toHex()),
          aggSig: aggregateSignatures(sigs).toHex(),
          aggKey: aggregatePublicKeys(keys.map((k) => k.publicKey)).toHex(),
        }
      }
      const { noble, wasm } = await onBoth(run)
      expect(wasm, `case #${i}`).toEqual(noble)

      // what one backend produced, the other accepts, and a wrong message fails on both
      const verdicts = await onBoth(() => {
        const sig = Signature.fromBytes(Buffer.from(noble.aggSig.slice(2), 'hex'))
        const key = PublicKey.fromBytes(Buffer.from(wasm.aggKey.slice(2), 'hex'))
        return [verify(sig, key, domain, digest), verify(sig, key, domain, hex(randomBytes(32)))]
      })
      expect(verdicts).toEqual({ noble: [true, false], wasm: [true, false] })
    }
  })

  it('batches of distinct and shared messages name the same bad signature', async () => {
    const keys = Array.from({ length: 12 }, () => SecretKey.random())
    for (let round = 0; round < 4; round++) {
      const digests = Array.from({ length: 5 }, () => hex(randomBytes(32)))
      const items: SignedMessage[] = keys.map((k, i) => ({
        domain: DOMAIN_TASKS,
        digest: digests[i % digests.length]!,
        signature: k.sign(DOMAIN_TASKS, digests[i % digests.length]!),
        publicKey: k.publicKey,
      }))
      const bad = (round * 5 + 3) % items.length
      // a valid signature, by someone else or over another message
      items[bad] = {
        ...items[bad]!,
        signature:
          round % 2
            ? items[(bad + 1) % items.length]!.signature
            : keys[bad]!.sign(DOMAIN_TASKS, hex(randomBytes(32))),
      }
      const expected = items.map((_, i) => i !== bad)
      const batch = await onBoth(() => verifyBatch(items))
      expect(batch).toEqual({ noble: expected, wasm: expected })

      const same = keys.map((k) => ({ signature: k.sign(DOMAIN_TASKS, digests[0]!), publicKey: k.publicKey }))
      same[bad] = { ...same[bad]!, signature: same[(bad + 1) % same.length]!.signature }
      const sameResult = await onBoth(() => verifySameMessage(DOMAIN_TASKS, digests[0]!, same))
      expect(sameResult).toEqual({ noble: expected, wasm: expected })

      const all = items.map((it, i) =>
        i === bad ? { ...it, signature: keys[bad]!.sign(DOMAIN_TASKS, it.digest) } : it,
      )
      expect(await onBoth(() => verifyBatch(all))).toEqual({
        noble: all.map(() => true),
        wasm: all.map(() => true),
      })
    }
  })
})

describe('a batch longer than one multi-Miller slice (32 pairs)', () => {
  it('70 distinct messages: all valid, then one bad in the second slice, on both backends', async () => {
    const keys = Array.from({ length: 70 }, (_, i) => SecretKey.fromScalar(0x5eedn + BigInt(i) * 7919n))
    const items: SignedMessage[] = keys.map((k, i) => {
      const digest = `0x${(i + 1).toString(16).padStart(64, '0')}` as Hex
      return { domain: DOMAIN_TASKS, digest, signature: k.sign(DOMAIN_TASKS, digest), publicKey: k.publicKey }
    })
    expect(await onBoth(() => verifyBatch(items))).toEqual({
      noble: items.map(() => true),
      wasm: items.map(() => true),
    })
    items[45] = { ...items[45]!, signature: items[46]!.signature }
    const expected = items.map((_, i) => i !== 45)
    expect(await onBoth(() => verifyBatch(items))).toEqual({ noble: expected, wasm: expected })
  })
})

describe('bad input: the same coded BlsError on both backends', () => {
  const sk = SecretKey.fromScalar(987654321n)
  const digest = `0x${'22'.repeat(32)}` as Hex
  const sig = sk.sign(DOMAIN_TASKS, digest)
  const [x, y] = sig.toEvm()
  const [a, b, c, d] = sk.publicKey.toEvm()
  const word = (n: bigint) => n.toString(16).padStart(64, '0')
  const bytes = (...words: bigint[]) => new Uint8Array(Buffer.from(words.map(word).join(''), 'hex'))
  const badSignatures: Record<string, Uint8Array> = {
    infinity: bytes(0n, 0n),
    'x ≥ p': bytes(x + P, y),
    'off the curve': bytes(x, y + 1n),
    'too short': new Uint8Array(63),
    'all ones': new Uint8Array(64).fill(0xff),
  }
  const badKeys: Record<string, Uint8Array> = {
    infinity: bytes(0n, 0n, 0n, 0n),
    'y.im = p': bytes(a, b, c, P),
    'off the twist': bytes(a, b, c, d + 1n),
    'swapped re/im': bytes(b, a, d, c),
    'too long': new Uint8Array(129),
  }
  const codeOf = (fn: () => unknown): string => {
    try {
      fn()
    } catch (err) {
      expect(err).toBeInstanceOf(BlsError)
      return (err as BlsError).code
    }
    return 'accepted'
  }

  it.each(Object.entries(badSignatures))('signature: %s', async (_, encoded) => {
    const { noble, wasm } = await onBoth(() => codeOf(() => Signature.fromBytes(encoded)))
    expect(noble).toMatch(/^BLS_/)
    expect(wasm).toBe(noble)
  })

  it.each(Object.entries(badKeys))('public key: %s', async (_, encoded) => {
    const { noble, wasm } = await onBoth(() => codeOf(() => PublicKey.fromBytes(encoded)))
    expect(noble).toMatch(/^BLS_/)
    expect(wasm).toBe(noble)
  })

  it('the byte-level API answers bad jobs with the same errors and keeps the good ones', async () => {
    const good = toVerifyJob({ domain: DOMAIN_TASKS, digest, publicKey: sk.publicKey, signature: sig })
    const jobs = [
      good,
      ...Object.values(badSignatures).map((signature) => ({ ...good, signature })),
      ...Object.values(badKeys).map((publicKey) => ({ ...good, publicKey })),
    ]
    const { noble, wasm } = await onBoth(() => verifyJobs(jobs, new PublicKeyCache()))
    expect(noble[0]).toEqual({ ok: true, valid: true })
    expect(noble.slice(1).every((o) => !o.ok)).toBe(true)
    expect(wasm.map((o) => (o.ok ? o : o.error.code))).toEqual(noble.map((o) => (o.ok ? o : o.error.code)))
  })
})

describe('selection and fallback', () => {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = []
  const logger = {
    warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
  }
  afterEach(async () => {
    warnings.length = 0
    await selectBackend('noble')
  })

  it('a loader that fails leaves noble in place with a warning, and the API keeps working', async () => {
    const used = await initBls({
      backend: 'wasm',
      loadWasm: () => Promise.reject(new Error('CompileError: WebAssembly.instantiate(): simulated')),
      logger,
    })
    expect(used).toBe('noble')
    expect(blsBackend()).toBe('noble')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(/WebAssembly backend failed to load; using noble/)
    expect(warnings[0]!.fields?.error).toMatch(/simulated/)
    const k = SecretKey.random()
    expect(
      verify(k.sign(DOMAIN_TASKS, `0x${'33'.repeat(32)}`), k.publicKey, DOMAIN_TASKS, `0x${'33'.repeat(32)}`),
    ).toBe(true)
  })

  it('an mcl module whose initialisation throws is a fallback too, not a crash', async () => {
    const broken = {
      init: () => Promise.reject(new Error('RuntimeError: simulated abort')),
    } as unknown as Parameters<typeof createMclBackend>[0]
    const used = await initBls({ backend: 'auto', loadWasm: () => createMclBackend(broken), logger })
    expect(used).toBe('noble')
    expect(warnings.map((w) => w.fields?.error)).toEqual(['RuntimeError: simulated abort'])
  })

  it("'auto' loads WebAssembly here (Node), 'noble' never tries", async () => {
    expect(isWorkerd()).toBe(false)
    expect(await initBls({ logger })).toBe('wasm')
    expect(blsBackend()).toBe('wasm')
    let tried = false
    const used = await initBls({
      backend: 'noble',
      loadWasm: () => {
        tried = true
        return wasmBackend()
      },
    })
    expect([used, tried, blsBackend()]).toEqual(['noble', false, 'noble'])
    expect(warnings).toEqual([])
  })

  it("'auto' stays on noble in workerd, which refuses WebAssembly compiled at run time", async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
    Object.defineProperty(globalThis, 'navigator', {
      value: { userAgent: 'Cloudflare-Workers' },
      configurable: true,
    })
    try {
      let tried = false
      const used = await initBls({
        loadWasm: () => {
          tried = true
          return wasmBackend()
        },
        logger,
      })
      expect([used, tried]).toEqual(['noble', false])
    } finally {
      if (original) Object.defineProperty(globalThis, 'navigator', original)
      else Reflect.deleteProperty(globalThis, 'navigator')
    }
  })
})
