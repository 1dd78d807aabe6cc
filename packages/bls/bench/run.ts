// BLS benchmarks: both backends (noble, and WebAssembly on mcl-wasm) side by side with mcl-wasm
// used the way Othentic's services use it, all in the same run, so the ratios hold on a noisy
// shared machine. Prints one JSON document on stdout.
//   npm run bench -w @wisp/bls        (or `npm run bench` at the root for every package)
import { DOMAIN_TASKS } from '@wisp/protocol'
import { type BlsBackendName, useNobleBackend, useWasmBackend } from '../src/backend.js'
import {
  createInlineVerifier,
  SecretKey,
  type SignedBy,
  type SignedMessage,
  toVerifyJob,
  verify,
  verifyBatch,
  verifySameMessage,
} from '../src/index.js'
import { createNodeVerifierPool } from '../src/pool/node.js'
import { loadWasmBackend } from '../src/wasm/load.js'
import {
  g2Generator,
  initMcl,
  mcl,
  mclG1FromWords,
  mclG2FromWords,
  mclHashToPoint,
  mclVerify,
} from '../test/support/mcl-reference.js'

type Hex = `0x${string}`
const QUICK = process.argv.includes('--quick')
const MIN_TIME_MS = QUICK ? 150 : 800
const MIN_RUNS = QUICK ? 2 : 5

/** Median wall time of fn over at least MIN_RUNS runs and MIN_TIME_MS, after one warm-up. */
async function measure(fn: () => unknown): Promise<number> {
  await fn()
  const times: number[] = []
  const start = performance.now()
  while (times.length < MIN_RUNS || performance.now() - start < MIN_TIME_MS) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[times.length >> 1]!
}

const round = (x: number) => Math.round(x * 1000) / 1000
const digest = (i: number): Hex => `0x${(i + 1).toString(16).padStart(64, '0')}`
const domainBytes = Buffer.from(DOMAIN_TASKS.slice(2), 'hex')

await initMcl()
const wasmBackend = await loadWasmBackend()
const g2 = g2Generator()
const N_KEYS = 128
const keys = Array.from({ length: N_KEYS }, (_, i) =>
  SecretKey.fromScalar(0xabcdef1234567n + BigInt(i) * 1_000_003n),
)
for (const k of keys) void k.publicKey.precompute // the verified-key cache, as in steady state
const mclKeys = keys.map((k) => {
  const fr = new mcl.Fr()
  fr.setBigEndianMod(k.toBytes())
  return { sk: fr, pk: mclG2FromWords(k.publicKey.toEvm()) }
})

const results: Record<string, unknown>[] = []

/** Measures fn on each backend (the active one switched around it). */
async function measureBoth(fn: () => unknown): Promise<Record<BlsBackendName, number>> {
  useNobleBackend()
  const noble = await measure(fn)
  useWasmBackend(wasmBackend)
  const wasm = await measure(fn)
  useNobleBackend()
  return { noble, wasm }
}

function record(
  name: string,
  params: Record<string, unknown>,
  ours: Record<BlsBackendName, number>,
  referenceMs: number,
  reference: string,
) {
  const row = {
    name,
    ...params,
    nobleMs: round(ours.noble),
    wasmMs: round(ours.wasm),
    referenceMs: round(referenceMs),
    reference,
    nobleRatio: round(ours.noble / referenceMs),
    wasmRatio: round(ours.wasm / referenceMs),
  }
  results.push(row)
  process.stderr.write(`${JSON.stringify(row)}\n`)
}

// sign: hash to the curve + one scalar multiplication
{
  const ours = await measureBoth(() => keys[0]!.sign(DOMAIN_TASKS, digest(0)))
  const ref = await measure(() =>
    mcl.mul(mclHashToPoint(domainBytes, Buffer.from(digest(0).slice(2), 'hex')), mclKeys[0]!.sk),
  )
  record('sign', {}, ours, ref, 'mcl-wasm hashToPoint + mul')
}

// verify one signature
{
  const sig = keys[0]!.sign(DOMAIN_TASKS, digest(0))
  const mclSig = mclG1FromWords(sig.toEvm())
  const msg = Buffer.from(digest(0).slice(2), 'hex')
  const ours = await measureBoth(() => verify(sig, keys[0]!.publicKey, DOMAIN_TASKS, digest(0)))
  const ref = await measure(() => mclVerify(mclSig, mclKeys[0]!.pk, mclHashToPoint(domainBytes, msg), g2))
  record('verify', {}, ours, ref, 'mcl-wasm verify (two pairings)')
}

// many signers, one message: ours aggregates and checks once; mcl verifies one by one
for (const n of [1, 8, 32, 128]) {
  const msg = digest(42)
  const items: SignedBy[] = keys
    .slice(0, n)
    .map((k) => ({ signature: k.sign(DOMAIN_TASKS, msg), publicKey: k.publicKey }))
  const mclItems = items.map((it, i) => ({ sig: mclG1FromWords(it.signature.toEvm()), pk: mclKeys[i]!.pk }))
  const msgBytes = Buffer.from(msg.slice(2), 'hex')
  const ours = await measureBoth(() => verifySameMessage(DOMAIN_TASKS, msg, items))
  const ref = await measure(() => {
    for (const it of mclItems) mclVerify(it.sig, it.pk, mclHashToPoint(domainBytes, msgBytes), g2)
  })
  record('sameMessageVerify', { signers: n }, ours, ref, 'mcl-wasm verify one by one')
}

// distinct messages: ours one multi-pairing with random coefficients; mcl one by one
for (const n of [8, 32, 64]) {
  const items: SignedMessage[] = keys.slice(0, n).map((k, i) => ({
    domain: DOMAIN_TASKS,
    digest: digest(1000 + i),
    signature: k.sign(DOMAIN_TASKS, digest(1000 + i)),
    publicKey: k.publicKey,
  }))
  const mclItems = items.map((it, i) => ({
    sig: mclG1FromWords(it.signature.toEvm()),
    pk: mclKeys[i]!.pk,
    msg: Buffer.from((it.digest as string).slice(2), 'hex'),
  }))
  const ours = await measureBoth(() => verifyBatch(items))
  const ref = await measure(() => {
    for (const it of mclItems) mclVerify(it.sig, it.pk, mclHashToPoint(domainBytes, it.msg), g2)
  })
  record('distinctBatchVerify', { signatures: n }, ours, ref, 'mcl-wasm verify one by one')
}

// pool throughput: 256 distinct-message jobs through the batching verifier
{
  const JOBS = QUICK ? 64 : 256
  const jobs = Array.from({ length: JOBS }, (_, i) => {
    const k = keys[i % N_KEYS]!
    return toVerifyJob({
      domain: DOMAIN_TASKS,
      digest: digest(5000 + i),
      publicKey: k.publicKey,
      signature: k.sign(DOMAIN_TASKS, digest(5000 + i)),
    })
  })
  const mclJobs = jobs.map((_, i) => ({
    sig: mclG1FromWords(keys[i % N_KEYS]!.sign(DOMAIN_TASKS, digest(5000 + i)).toEvm()),
    pk: mclKeys[i % N_KEYS]!.pk,
    msg: Buffer.from(digest(5000 + i).slice(2), 'hex'),
  }))
  const ref = await measure(() => {
    for (const it of mclJobs) mclVerify(it.sig, it.pk, mclHashToPoint(domainBytes, it.msg), g2)
  })
  const run = async (
    make: () => ReturnType<typeof createInlineVerifier>,
    label: string,
    workers: number,
    backend: BlsBackendName,
  ) => {
    if (backend === 'wasm') useWasmBackend(wasmBackend)
    else useNobleBackend()
    const verifier = make()
    try {
      await verifier.verifyMany(jobs) // warm the workers' key caches and JIT
      const ms = await measure(() => Promise.all(jobs.map((j) => verifier.verify(j))))
      const row = {
        name: 'poolThroughput',
        verifier: label,
        backend,
        workers,
        jobs: JOBS,
        oursMs: round(ms),
        jobsPerSecond: Math.round((JOBS / ms) * 1000),
        referenceMs: round(ref),
        reference: 'mcl-wasm verify one by one, main thread',
        ratio: round(ms / ref),
      }
      results.push(row)
      process.stderr.write(`${JSON.stringify(row)}\n`)
    } finally {
      await verifier.close()
      useNobleBackend()
    }
  }
  for (const backend of ['noble', 'wasm'] as const) {
    await run(() => createInlineVerifier(), 'inline', 0, backend)
    await run(() => createNodeVerifierPool({ workers: 1, backend }), 'node-pool', 1, backend)
    await run(() => createNodeVerifierPool({ workers: 2, backend }), 'node-pool', 2, backend)
  }
}

type Row = Record<string, number | string | undefined>
const row = (name: string, key?: string, value?: number) =>
  results.find((r) => r.name === name && (key === undefined || r[key] === value)) as Row | undefined
/** Issue 13's targets for the WebAssembly backend, and the earlier ones the noble path was held to. */
const targets = {
  sign: { target: 1.5, row: row('sign') },
  verify: { target: 1.2, row: row('verify') },
  sameMessage128: { target: 0.1, row: row('sameMessageVerify', 'signers', 128) },
  distinctBatch64: { target: 0.3, row: row('distinctBatchVerify', 'signatures', 64) },
}
console.log(
  JSON.stringify(
    {
      benchmark: '@wisp/bls',
      node: process.version,
      cores: (await import('node:os')).availableParallelism(),
      quick: QUICK,
      results,
      backends: { wasm: wasmBackend.implementation, noble: '@noble/curves' },
      targets: Object.fromEntries(
        Object.entries(targets).map(([k, { target, row: r }]) => {
          const wasmRatio = r?.wasmRatio as number | undefined
          return [
            k,
            {
              ratioVsMcl: target,
              wasmRatio,
              nobleRatio: r?.nobleRatio,
              met: wasmRatio !== undefined && wasmRatio <= target,
            },
          ]
        }),
      ),
    },
    null,
    2,
  ),
)
