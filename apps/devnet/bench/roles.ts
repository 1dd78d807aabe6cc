// CPU per task for each role, each in its own process (issue 13 point 5): anvil (automine) and
// the contracts as in the devnet, then a relay, an aggregator and the attesters as child
// processes (bench/role-process.ts) on loopback; tasks go to the aggregator's JSON-RPC. Each
// process reports process.cpuUsage() (main thread and its BLS worker threads) before and after
// the measured tasks. Attesters share processes when there are many of them (per-attester CPU is
// then the process's CPU / attesters in it). Runs every (attesters, validation) pair and prints
// one JSON document.
//   npm run bench:roles -w @wisp/devnet             (-- --quick: 16 attesters, fewer tasks)
//   WISP_BENCH_ROLES_ATTESTERS=16,64 WISP_BENCH_ROLES_VALIDATION=full,light
//   WISP_BENCH_ATTESTERS_PER_PROCESS=8 (default: 1 up to 16 attesters, else 8)
//   WISP_BENCH_ROLES_PROFILE=<dir>: a V8 CPU profile of each process over the measured tasks
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { percentile, type Role, round, sleep, startBenchNetwork, type Validation } from './setup.js'

const QUICK = process.argv.includes('--quick')
const list = (value: string | undefined, fallback: string) =>
  (value ?? fallback).split(',').map((s) => s.trim())
const SIZES = list(process.env.WISP_BENCH_ROLES_ATTESTERS, QUICK ? '16' : '16,64').map(Number)
const VALIDATIONS = list(process.env.WISP_BENCH_ROLES_VALIDATION, 'full,light') as Validation[]
const ITERATIONS = 500
const WARM_UP = 3
const SEQUENTIAL = QUICK ? 5 : 10
const BURST = QUICK ? 10 : 20
const IDLE_MS = 3000

const progress = (line: string) => process.stderr.write(`[bench:roles] ${line}\n`)

async function run(attesterCount: number, validation: Validation) {
  const perProcess = Number(process.env.WISP_BENCH_ATTESTERS_PER_PROCESS ?? (attesterCount <= 16 ? 1 : 8))
  const network = await startBenchNetwork({
    attesters: attesterCount,
    validation,
    attestersPerProcess: perProcess,
    iterations: ITERATIONS,
    progress,
  })
  const { roles, relay, attesterRoles, sendTask } = network
  try {
    for (let i = 0; i < WARM_UP; i++) await sendTask()
    progress('warm-up done; measuring idle CPU')
    const snapshot = () => Promise.all(roles.map((r) => r.cpuMs()))
    const idle0 = await snapshot()
    const idleT0 = performance.now()
    await sleep(IDLE_MS)
    const idle1 = await snapshot()
    const idleSeconds = (performance.now() - idleT0) / 1000

    progress(`${SEQUENTIAL} sequential tasks, then a burst of ${BURST}`)
    const t0 = performance.now()
    // WISP_BENCH_ROLES_PROFILE=<dir>: V8 CPU profiles of the measured tasks, one per role process
    const profileDir = process.env.WISP_BENCH_ROLES_PROFILE
    const cpu0 = await Promise.all(roles.map((r) => r.cpuMs(profileDir ? 'start' : undefined)))
    const sequential: number[] = []
    for (let i = 0; i < SEQUENTIAL; i++) {
      const ms = await sendTask()
      if (ms !== undefined) sequential.push(ms)
    }
    const burstT0 = performance.now()
    const burst = (await Promise.all(Array.from({ length: BURST }, () => sendTask()))).filter(
      (ms) => ms !== undefined,
    )
    const burstSeconds = (performance.now() - burstT0) / 1000
    const cpu1 = await Promise.all(
      roles.map((r, i) =>
        r.cpuMs(
          profileDir
            ? { stopTo: join(profileDir, `${attesterCount}-${validation}-${r.kind}-${i}.cpuprofile`) }
            : undefined,
        ),
      ),
    )
    const seconds = (performance.now() - t0) / 1000
    const tasks = SEQUENTIAL + BURST

    const perRole = (kind: Role['kind']) => {
      const rows = roles
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => r.kind === kind)
        .map(({ r, i }) => {
          const share = Math.max(1, r.attesters)
          const busy = cpu1[i]!.ms - cpu0[i]!.ms
          const idlePerS = (idle1[i]!.ms - idle0[i]!.ms) / idleSeconds
          return {
            cpuMsPerTask: busy / tasks / share,
            // the same less what the process burns idle (heartbeats, block polling) over that time
            cpuMsPerTaskLessIdle: Math.max(0, busy - idlePerS * seconds) / tasks / share,
            idleCpuMsPerSecond: idlePerS / share,
            rssMiB: cpu1[i]!.rssBytes / 2 ** 20,
            blsJobsPerTask:
              cpu1[i]!.blsJobs !== undefined ? (cpu1[i]!.blsJobs! - cpu0[i]!.blsJobs!) / tasks : undefined,
          }
        })
      const mean = (f: (row: (typeof rows)[number]) => number) =>
        round(rows.reduce((a, row) => a + f(row), 0) / rows.length)
      const max = (f: (row: (typeof rows)[number]) => number) => round(Math.max(...rows.map(f)))
      return {
        processes: rows.length,
        cpuMsPerTask: mean((r) => r.cpuMsPerTask),
        cpuMsPerTaskMax: max((r) => r.cpuMsPerTask),
        cpuMsPerTaskLessIdle: mean((r) => r.cpuMsPerTaskLessIdle),
        idleCpuMsPerSecond: mean((r) => r.idleCpuMsPerSecond),
        rssMiBPerProcess: mean((r) => r.rssMiB),
        ...(rows[0]?.blsJobsPerTask !== undefined
          ? { blsJobsPerTask: mean((r) => r.blsJobsPerTask ?? 0) }
          : {}),
      }
    }
    return {
      attesters: attesterCount,
      validation,
      blsBackends: [
        ...new Set([
          (await relay.ready).blsBackend,
          ...(await Promise.all([network.aggregator, ...attesterRoles].map((r) => r.ready))).map(
            (r) => r.blsBackend,
          ),
        ]),
      ],
      attestersPerProcess: perProcess,
      tasks,
      unfinalized: network.unfinalized(),
      finality: {
        sequentialP50Ms: round(percentile(sequential, 50)),
        sequentialP99Ms: round(percentile(sequential, 99)),
        burstTasksPerSecond: round(BURST / burstSeconds),
        burstP50Ms: round(percentile(burst, 50)),
        burstP99Ms: round(percentile(burst, 99)),
      },
      aggregator: perRole('aggregator'),
      relay: perRole('relay'),
      attester: perRole('attester'),
    }
  } finally {
    await network.stop()
  }
}

const runs = []
for (const size of SIZES)
  for (const validation of VALIDATIONS) {
    // one failed run (a machine too loaded for the mesh to form) is reported, the others still run
    const result = await run(size, validation).catch((err: unknown) => ({
      attesters: size,
      validation,
      error: err instanceof Error ? err.message : String(err),
    }))
    progress(JSON.stringify(result))
    runs.push(result)
  }
console.log(
  JSON.stringify(
    {
      benchmark: '@wisp/devnet roles: CPU per task per role, each role in its own process',
      node: process.version,
      cores: availableParallelism(),
      hashChainIterations: ITERATIONS,
      mining: 'anvil automine',
      note: 'cpuMsPerTask = process CPU (user+system, worker threads included) over the measured tasks / tasks / attesters in the process; LessIdle subtracts the rate measured over an idle interval',
      runs,
    },
    null,
    2,
  ),
)
