// Aggregation at scale (issue 14 point 3), every part on a fresh anvil with the devnet contracts
// and each role in child processes (setup.ts, role-process.ts); prints one JSON document.
//  a) one task definition with 256 attesters: do tasks finalize, the aggregator's CPU per task (its
//     process.cpuUsage(), BLS worker threads included), finality p50/p99 (sendTask -> receipt);
//  b) gas of the real submissions (receipt gasUsed) by attesters in the submission, the networks of
//     b's sizes plus a's, fitted to gas = base + perAttester * n against anvil's block gas limit;
//  c) as many light peers (Wisp attester nodes, p2p validation 'light') subscribed to the one
//     definition as the machine holds, up to 1 000: attester processes start one at a time until
//     free memory falls below a floor; peers reached, memory per peer, whether tasks finalize.
//   npm run bench:scale -w @wisp/devnet                    (-- --part a,b,c; default all three)
//   WISP_BENCH_SCALE_ATTESTERS=256 WISP_BENCH_SCALE_GAS=4,16,64,128 WISP_BENCH_SCALE_PEERS=1000
//   WISP_BENCH_SCALE_TASKS=5 WISP_BENCH_SCALE_PER_PROCESS=16 WISP_BENCH_SCALE_MIN_FREE_GIB=3
//   WISP_BENCH_SCALE_ATTESTER_POLL_MS=2000 WISP_BENCH_SCALE_PROFILE=<dir> (CPU profiles: the aggregator
//   over the tasks, the first attester process while idle)
//   WISP_BENCH_SCALE_RECEIVE_VOTES=0 (attesters do not receive each other's votes)
//   WISP_BENCH_SCALE_IDLE_S=10 (the idle CPU measurement)
//   WISP_BENCH_SCALE_SHARE_CHAIN=0 (each attester node polls the chain itself, not one cache per process)
//   WISP_BENCH_SCALE_STALL_S=180 (no node newly subscribed at the relay for this long: stop, and
//   report both sides' gossipsub state for some of the missing nodes)
import { availableParallelism, freemem, totalmem } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, http } from 'viem'
import { type BenchNetwork, percentile, round, startBenchNetwork } from './setup.js'

type Hex = `0x${string}`

const argument = (name: string) => {
  const i = process.argv.indexOf(name)
  return i === -1 ? undefined : process.argv[i + 1]
}
const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback).split(',').map((s) => s.trim())
const PARTS = list(argument('--part'), 'a,b,c')
const ATTESTERS = Number(process.env.WISP_BENCH_SCALE_ATTESTERS ?? 256)
const GAS_SIZES = list(process.env.WISP_BENCH_SCALE_GAS, '4,16,64,128').map(Number)
const PEERS = Number(process.env.WISP_BENCH_SCALE_PEERS ?? 1000)
const TASKS = Number(process.env.WISP_BENCH_SCALE_TASKS ?? 5)
const PER_PROCESS = Number(process.env.WISP_BENCH_SCALE_PER_PROCESS ?? 16)
const MIN_FREE_BYTES = Number(process.env.WISP_BENCH_SCALE_MIN_FREE_GIB ?? 3) * 2 ** 30
// the operator's default chain polling for the attesters of parts a and c (see setup.ts)
const ATTESTER_POLL_MS = Number(process.env.WISP_BENCH_SCALE_ATTESTER_POLL_MS ?? 2000)
// 0: the attesters of parts a and c leave the votes topic (operator config p2p.receiveVotes false)
const RECEIVE_VOTES = process.env.WISP_BENCH_SCALE_RECEIVE_VOTES !== '0'
// 0: every attester node follows the chain itself; default: the nodes of a process share one chain
// cache (one RPC poll per interval per process), as operators hosted together would
const SHARE_CHAIN = process.env.WISP_BENCH_SCALE_SHARE_CHAIN !== '0'
const ITERATIONS = 500
/** how long the idle CPU of the attester nodes is measured */
const IDLE_SECONDS = Number(process.env.WISP_BENCH_SCALE_IDLE_S ?? 10)
/** a V8 CPU profile of the aggregator over the measured tasks, written to this directory */
const PROFILE_DIR = process.env.WISP_BENCH_SCALE_PROFILE

const progress = (line: string) => process.stderr.write(`[bench:scale] ${line}\n`)

/** The receipt of every submission the aggregator made: attesters in it and gas used. */
async function submissionGas(network: BenchNetwork) {
  const client = createPublicClient({ transport: http(network.anvil.rpcUrl) })
  const block = await client.getBlock()
  const rows = await Promise.all(
    network.submissions.map(async (s, i) => {
      const receipt = await client.getTransactionReceipt({ hash: s.txHash as Hex })
      // the network's first submission writes storage slots from zero (20 000 gas a slot, not 5 000)
      return {
        attesters: s.attesters,
        gasUsed: Number(receipt.gasUsed),
        status: receipt.status,
        first: i === 0,
      }
    }),
  )
  return { blockGasLimit: Number(block.gasLimit), rows }
}

/** Runs `tasks` tasks one after the other; finality, unfinalized count and the aggregator's CPU. */
async function measureTasks(network: BenchNetwork, tasks: number) {
  await network.sendTask() // warm-up: first-task code paths and caches
  const othersMs = async () =>
    (await Promise.all([network.relay, ...network.attesterRoles].map((r) => r.cpuMs()))).map((c) => c.ms)
  const others0 = await othersMs()
  const cpu0 = await network.aggregator.cpuMs(PROFILE_DIR ? 'start' : undefined)
  const started = performance.now()
  const finality: number[] = []
  for (let i = 0; i < tasks; i++) {
    const ms = await network.sendTask()
    if (ms !== undefined) finality.push(ms)
  }
  const cpu1 = await network.aggregator.cpuMs(
    PROFILE_DIR
      ? { stopTo: join(PROFILE_DIR, `aggregator-${network.startedAttesters}.cpuprofile`) }
      : undefined,
  )
  const seconds = (performance.now() - started) / 1000
  const others1 = await othersMs()
  const spent = others1.map((ms, i) => ms - others0[i]!)
  const nodes = network.attesterRoles.reduce((a, r) => a + r.attesters, 0)
  return {
    tasks,
    finalized: finality.length,
    finalityP50Ms: finality.length ? round(percentile(finality, 50)) : null,
    finalityP99Ms: finality.length ? round(percentile(finality, 99)) : null,
    aggregatorCpuMsPerTask: round((cpu1.ms - cpu0.ms) / tasks),
    aggregatorRssMiB: round(cpu1.rssBytes / 2 ** 20),
    relayCpuMsPerTask: round(spent[0]! / tasks),
    // idle work included: the tasks take long at this size, the nodes' heartbeats and polls go on
    attesterCpuMsPerTaskPerNode: round(spent.slice(1).reduce((a, ms) => a + ms, 0) / nodes / tasks),
    coresBusyDuringTasks: round((spent.reduce((a, ms) => a + ms, 0) + (cpu1.ms - cpu0.ms)) / 1000 / seconds),
  }
}

/** What the attester nodes cost doing nothing (heartbeats, chain polling): CPU ms per node per second. */
async function idleCpu(network: BenchNetwork, seconds = IDLE_SECONDS) {
  const sample = async () =>
    (await Promise.all(network.attesterRoles.map((r) => r.cpuMs()))).reduce((a, c) => a + c.ms, 0)
  const nodes = network.attesterRoles.reduce((a, r) => a + r.attesters, 0)
  const profiled = PROFILE_DIR ? network.attesterRoles[0] : undefined
  await profiled?.cpuMs('start')
  const before = await sample()
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
  const ms = (await sample()) - before
  await profiled?.cpuMs({
    stopTo: join(PROFILE_DIR!, `attesters-idle-${network.startedAttesters}.cpuprofile`),
  })
  return {
    attesterIdleCpuMsPerNodePerSecond: round(ms / nodes / seconds),
    attesterIdleCoresInAll: round(ms / 1000 / seconds),
  }
}

/** Attester processes' resident memory per attester node in them. */
async function memoryPerPeer(network: BenchNetwork) {
  const cpu = await Promise.all(network.attesterRoles.map((r) => r.cpuMs()))
  const rss = cpu.reduce((a, c) => a + c.rssBytes, 0)
  const nodes = network.attesterRoles.reduce((a, r) => a + r.attesters, 0)
  return {
    attesterProcesses: cpu.length,
    rssMiBTotal: round(rss / 2 ** 20),
    rssMiBPerPeer: round(rss / nodes / 2 ** 20),
  }
}

async function partA() {
  const network = await startBenchNetwork({
    attesters: ATTESTERS,
    validation: 'light',
    attestersPerProcess: PER_PROCESS,
    iterations: ITERATIONS,
    attesterPollingIntervalMs: ATTESTER_POLL_MS,
    attesterReceiveVotes: RECEIVE_VOTES,
    attestersShareChain: SHARE_CHAIN,
    progress,
  })
  try {
    const idle = await idleCpu(network)
    progress(`idle: ${JSON.stringify(idle)}`)
    const tasks = await measureTasks(network, TASKS)
    return {
      ...idle,
      attesters: ATTESTERS,
      attestersPerProcess: PER_PROCESS,
      attesterPollingIntervalMs: ATTESTER_POLL_MS,
      attestersReceiveVotes: RECEIVE_VOTES,
      attestersShareChain: SHARE_CHAIN,
      setupSeconds: network.setupSeconds,
      ...tasks,
      memory: await memoryPerPeer(network),
      gas: await submissionGas(network),
    }
  } finally {
    await network.stop()
  }
}

async function gasAt(attesters: number) {
  const network = await startBenchNetwork({
    attesters,
    validation: 'light',
    attestersPerProcess: Math.min(PER_PROCESS, Math.max(1, attesters / 4)),
    iterations: ITERATIONS,
    progress,
  })
  try {
    for (let i = 0; i < 3; i++) await network.sendTask()
    return { network: attesters, ...(await submissionGas(network)) }
  } finally {
    await network.stop()
  }
}

/** Least squares gas = base + perAttester * n over every submission. */
function fit(rows: Array<{ attesters: number; gasUsed: number }>, blockGasLimit: number) {
  const n = rows.length
  const mx = rows.reduce((a, r) => a + r.attesters, 0) / n
  const my = rows.reduce((a, r) => a + r.gasUsed, 0) / n
  const sxy = rows.reduce((a, r) => a + (r.attesters - mx) * (r.gasUsed - my), 0)
  const sxx = rows.reduce((a, r) => a + (r.attesters - mx) ** 2, 0)
  const perAttester = sxx === 0 ? 0 : sxy / sxx
  const base = my - perAttester * mx
  return {
    base: Math.round(base),
    perAttester: Math.round(perAttester),
    maxAttestersInBlock: perAttester > 0 ? Math.floor((blockGasLimit - base) / perAttester) : null,
  }
}

async function partB(fromA: Awaited<ReturnType<typeof submissionGas>> | undefined) {
  const runs = []
  for (const size of GAS_SIZES) {
    const result = await gasAt(size).catch((err: unknown) => ({ network: size, error: String(err) }))
    progress(JSON.stringify(result))
    runs.push(result)
  }
  if (fromA) runs.push({ network: ATTESTERS, ...fromA })
  const measured = runs.flatMap((r) => ('rows' in r ? r.rows.filter((row) => row.status === 'success') : []))
  const blockGasLimit = runs.find((r) => 'blockGasLimit' in r)?.blockGasLimit
  const mean = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, g) => a + g, 0) / xs.length) : null)
  const byAttesters = [...new Set(measured.map((r) => r.attesters))]
    .sort((x, y) => x - y)
    .map((attesters) => {
      const rows = measured.filter((r) => r.attesters === attesters)
      return {
        attesters,
        submissions: rows.length,
        gasUsedFirst: mean(rows.filter((r) => r.first).map((r) => r.gasUsed)),
        gasUsedLater: mean(rows.filter((r) => !r.first).map((r) => r.gasUsed)),
      }
    })
  const fitOf = (rows: typeof measured) =>
    blockGasLimit !== undefined && new Set(rows.map((r) => r.attesters)).size > 1
      ? fit(rows, blockGasLimit)
      : null
  return {
    blockGasLimit,
    byAttesters,
    fitLater: fitOf(measured.filter((r) => !r.first)),
    fitFirst: fitOf(measured.filter((r) => r.first)),
    runs,
  }
}

async function partC() {
  const freeAtStart = freemem()
  const network = await startBenchNetwork({
    attesters: PEERS,
    validation: 'light',
    attestersPerProcess: PER_PROCESS * 2,
    iterations: ITERATIONS,
    minFreeBytes: MIN_FREE_BYTES,
    attesterPollingIntervalMs: ATTESTER_POLL_MS,
    attesterReceiveVotes: RECEIVE_VOTES,
    attestersShareChain: SHARE_CHAIN,
    progress,
  })
  try {
    const idle = await idleCpu(network)
    progress(`idle: ${JSON.stringify(idle)}`)
    const memory = await memoryPerPeer(network)
    // quorum is 2/3 of the registered voting power: with fewer peers up, no task can pass
    const quorumReachable = network.startedAttesters * 3 >= PEERS * 2
    const tasks = quorumReachable ? await measureTasks(network, Math.min(TASKS, 3)) : { tasks: 0 }
    return {
      target: PEERS,
      reached: network.startedAttesters,
      stoppedBy: network.stoppedBy ?? null,
      attestersPerProcess: PER_PROCESS * 2,
      attestersShareChain: SHARE_CHAIN,
      minFreeGiB: MIN_FREE_BYTES / 2 ** 30,
      freeGiBAtStart: round(freeAtStart / 2 ** 30),
      freeGiBAfterStart: round(freemem() / 2 ** 30),
      setupSeconds: network.setupSeconds,
      memory,
      ...idle,
      quorumReachable,
      ...tasks,
      // votes in each submission (the warm-up task's included): bounded by the block gas limit
      attestersPerSubmission: network.submissions.map((s) => s.attesters),
    }
  } finally {
    await network.stop()
  }
}

const report = (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) })
const a = PARTS.includes('a') ? await partA().catch(report) : undefined
if (a) progress(`a: ${JSON.stringify(a)}`)
const b = PARTS.includes('b') ? await partB(a && 'gas' in a ? a.gas : undefined).catch(report) : undefined
if (b) progress(`b: ${JSON.stringify(b)}`)
const c = PARTS.includes('c') ? await partC().catch(report) : undefined
console.log(
  JSON.stringify(
    {
      benchmark: '@wisp/devnet scale: 256 attesters, submission gas by attesters, light peers per machine',
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      memoryGiB: round(totalmem() / 2 ** 30),
      hashChainIterations: ITERATIONS,
      mining: 'anvil automine',
      ...(a ? { a } : {}),
      ...(b ? { b } : {}),
      ...(c ? { c } : {}),
    },
    null,
    2,
  ),
)
