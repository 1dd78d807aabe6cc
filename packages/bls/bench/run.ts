// BLS benchmarks: ours (noble) side by side with mcl-wasm in the same run, so the ratios hold on
// a noisy shared machine. Prints one JSON document on stdout.
//   npm run bench -w @wisp/bls        (or `npm run bench` at the root for every package)
import { DOMAIN_TASKS } from '@wisp/protocol'
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
function record(
  name: string,
  params: Record<string, unknown>,
  oursMs: number,
  referenceMs: number,
  reference: string,
) {
  const row = {
    name,
    ...params,
    oursMs: round(oursMs),
    referenceMs: round(referenceMs),
    reference,
    ratio: round(oursMs / referenceMs),
  }
  results.push(row)
  process.stderr.write(`${JSON.stringify(row)}\n`)
}

// sign: hash to the curve + one scalar multiplication
{
  const ours = await measure(() => keys[0]!.sign(DOMAIN_TASKS, digest(0)))
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
  const ours = await measure(() => verify(sig, keys[0]!.publicKey, DOMAIN_TASKS, digest(0)))
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
  const ours = await measure(() => verifySameMessage(DOMAIN_TASKS, msg, items))
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
  const ours = await measure(() => verifyBatch(items))
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
  const run = async (make: () => ReturnType<typeof createInlineVerifier>, label: string, workers: number) => {
    const verifier = make()
    try {
      await verifier.verifyMany(jobs) // warm the workers' key caches and JIT
      const ms = await measure(() => Promise.all(jobs.map((j) => verifier.verify(j))))
      const row = {
        name: 'poolThroughput',
        verifier: label,
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
    }
  }
  await run(() => createInlineVerifier(), 'inline', 0)
  await run(() => createNodeVerifierPool({ workers: 1 }), 'node-pool', 1)
  await run(() => createNodeVerifierPool({ workers: 2 }), 'node-pool', 2)
}

const byName = (name: string, key: string, value: number) =>
  results.find((r) => r.name === name && r[key] === value) as { ratio: number } | undefined
const targets = {
  sameMessage128: { ratio: byName('sameMessageVerify', 'signers', 128)?.ratio, target: 0.1 },
  distinctBatch64: { ratio: byName('distinctBatchVerify', 'signatures', 64)?.ratio, target: 1.0 },
}
console.log(
  JSON.stringify(
    {
      benchmark: '@wisp/bls',
      node: process.version,
      cores: (await import('node:os')).availableParallelism(),
      quick: QUICK,
      results,
      targets: Object.fromEntries(
        Object.entries(targets).map(([k, v]) => [
          k,
          { ...v, met: v.ratio !== undefined && v.ratio <= v.target },
        ]),
      ),
    },
    null,
    2,
  ),
)
