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
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ANVIL_DEV_KEYS, startAnvil, WAD } from '@wisp/contracts/dev'
import { networkFileOf } from '@wisp/deploy'
import { type OperatorConfig, operatorConfigFromNetwork } from '@wisp/operator'
import { stringToBytes } from 'viem'
import { deployDevnetChain } from '../src/chain.js'
import { DEVNET_OUTCOME_WINDOW_MS, DEVNET_SLASHING } from '../src/devnet.js'
import { sendSignedTask, signedHashChainTask } from '../src/tasks.js'
import type { ChildMessage, NodeSpec, ParentMessage, StartMessage } from './role-process.js'

type Hex = `0x${string}`
type Validation = 'full' | 'light'

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
const TASK_TIMEOUT_MS = 120_000
const ROLE_PROCESS = fileURLToPath(new URL('./role-process.ts', import.meta.url))

const progress = (line: string) => process.stderr.write(`[bench:roles] ${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const round = (x: number) => Math.round(x * 100) / 100
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

/** A role process and a request/answer channel to it. */
class Role {
  readonly child: ChildProcess
  readonly ready: Promise<Extract<ChildMessage, { type: 'ready' }>>
  #next = 0
  #waiting = new Map<number, (m: ChildMessage) => void>()
  onSubmitted: (taskHash: string) => void = () => undefined

  constructor(
    readonly kind: 'relay' | 'aggregator' | 'attester',
    readonly attesters: number,
    start: StartMessage,
  ) {
    this.child = fork(ROLE_PROCESS, [], {
      execArgv: ['--conditions=@wisp/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) =>
        reject(new Error(`${kind} process exited (${code}) before it was ready`)),
      )
      this.child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') resolve(m)
        else if (m.type === 'failed') reject(new Error(`${kind} process failed: ${m.error}`))
        else if (m.type === 'submitted') this.onSubmitted(m.taskHash)
        else this.#waiting.get(m.id)?.(m)
      })
    })
    this.child.send(start satisfies ParentMessage)
  }

  ask<T extends 'cpu' | 'mesh'>(
    type: T,
    extra: Partial<Extract<ParentMessage, { type: T }>> = {},
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const id = this.#next++
    return new Promise((resolve) => {
      this.#waiting.set(id, (m) => {
        this.#waiting.delete(id)
        resolve(m as Extract<ChildMessage, { type: T }>)
      })
      this.child.send({ ...extra, type, id } as ParentMessage)
    })
  }

  /** `profile`: start a CPU profile now, or stop it and write it to a file (the measured tasks only). */
  async cpuMs(
    profile?: 'start' | { stopTo: string },
  ): Promise<{ ms: number; rssBytes: number; blsJobs?: number }> {
    const m = await this.ask('cpu', profile !== undefined ? { profile } : {})
    return {
      ms: (m.userUs + m.systemUs) / 1000,
      rssBytes: m.rssBytes,
      ...(m.blsJobs !== undefined ? { blsJobs: m.blsJobs } : {}),
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve()
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.kill('SIGTERM')
    })
  }
}

async function run(attesterCount: number, validation: Validation) {
  const perProcess = Number(process.env.WISP_BENCH_ATTESTERS_PER_PROCESS ?? (attesterCount <= 16 ? 1 : 8))
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-roles-'))
  const roles: Role[] = []
  const anvil = await startAnvil({ port: 0, blockTime: 0 })
  try {
    progress(`${attesterCount} attesters, validation ${validation}: deploying`)
    const deployed = await deployDevnetChain({
      rpcUrl: anvil.rpcUrl,
      dataDir,
      powers: [10, ...Array<number>(attesterCount).fill(10)],
      taskDefinitions: [
        {
          name: 'hash-chain',
          plugin: { package: '@wisp/plugin-hash-chain' },
          config: { iterations: ITERATIONS },
          rewards: { attesters: WAD / 100n, performer: WAD / 50n, aggregator: WAD / 200n },
        },
      ],
      slashing: DEVNET_SLASHING,
      operatorEth: 10n * WAD,
      pollingIntervalMs: 100,
    })
    const chain = deployed.network
    const hashChain = chain.taskDefinitions.find((d) => d.name === 'hash-chain')!.id

    const relay = new Role('relay', 0, {
      type: 'start',
      role: 'relay',
      rpcUrl: anvil.rpcUrl,
      chainId: chain.chainId,
      attestationCenter: chain.contracts.attestationCenter,
      dataDir: join(dataDir, 'relay'),
      // what operator.ts gives a node that does not aggregate
      voteChecks:
        validation === 'light' ? { mode: 'sample', peersSample: true } : { mode: 'all', peersSample: false },
    })
    roles.push(relay)
    const relayAddrs = (await relay.ready).multiaddrs

    const networkFile = networkFileOf(deployed.plan, deployed.deployment, {
      rpcUrls: [anvil.rpcUrl],
      relays: relayAddrs,
    })
    const networkConfig = operatorConfigFromNetwork(networkFile, {
      config: {
        chain: { pollingIntervalMs: 250, outcomeWindowMs: DEVNET_OUTCOME_WINDOW_MS },
        election: { windowBlocks: 16, roundRobinInterval: 1_000_000, performerIds: [chain.operators[0]!.id] },
        aggregator: { delayMs: 0 },
      },
    })
    const config = (name: string, patch: Partial<OperatorConfig>): OperatorConfig => ({
      ...networkConfig,
      ...patch,
      p2p: { ...networkConfig.p2p, validation },
      dataDir: join(dataDir, name),
    })

    progress('starting the aggregator and the attesters')
    const aggregator = new Role('aggregator', 0, {
      type: 'start',
      role: 'aggregator',
      nodes: [
        {
          name: 'aggregator',
          ecdsaKey: ANVIL_DEV_KEYS[1] as Hex,
          operator: config('aggregator', {
            roles: ['aggregator'],
            jsonRpc: { port: 0, host: '127.0.0.1' },
          }),
        },
      ],
    })
    roles.push(aggregator)
    const attesterOps = chain.operators.slice(1, 1 + attesterCount)
    const attesterRoles: Role[] = []
    for (let i = 0; i < attesterOps.length; i += perProcess) {
      const nodes: NodeSpec[] = attesterOps.slice(i, i + perProcess).map((op) => ({
        name: `attester-${op.id}`,
        ecdsaKey: op.ecdsaKey,
        blsKey: op.blsSecretKey,
        operator: config(`attester-${op.id}`, { roles: ['attester'] }),
      }))
      const role = new Role('attester', nodes.length, { type: 'start', role: 'attester', nodes })
      attesterRoles.push(role)
      roles.push(role)
      // a few at a time: every process loads its modules on the same 2 cores
      if (attesterRoles.length % 4 === 0) await role.ready
    }
    const readies = await Promise.all([aggregator.ready, ...attesterRoles.map((r) => r.ready)])
    const jsonRpc = readies[0]!.jsonRpc!
    const peerIds = readies.flatMap((r) => r.peerIds)

    progress('waiting for every node to subscribe at the relay')
    const started = Date.now()
    for (;;) {
      const mesh = (await relay.ask('mesh')).peers
      if (Object.values(mesh).every((peers) => peerIds.every((id) => peers.includes(id)))) break
      if (Date.now() - started > 180_000) {
        const counts = Object.entries(mesh).map(
          ([topic, peers]) =>
            `${topic} ${peerIds.filter((id) => peers.includes(id)).length}/${peerIds.length}`,
        )
        throw new Error(`not every node subscribed at the relay within 180 s (${counts.join(', ')})`)
      }
      await sleep(200)
    }
    // a few gossipsub heartbeats (1 s) to graft the meshes
    await sleep(3000)

    const waiting = new Map<string, () => void>()
    aggregator.onSubmitted = (hash) => waiting.get(hash)?.()
    let counter = 0
    const devnetView = {
      chain,
      taskDefinitions: { hashChain, priceOracle: hashChain },
      options: { hashChainIterations: ITERATIONS },
    } as Parameters<typeof signedHashChainTask>[0]
    let unfinalized = 0
    /** Finality in ms; undefined (counted in `unfinalized`) when not submitted within the timeout. */
    const sendTask = async (): Promise<number | undefined> => {
      const signed = await signedHashChainTask(devnetView, stringToBytes(`roles:${counter++}:${Date.now()}`))
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = new Promise<boolean>((resolve) => {
        waiting.set(signed.taskHash, () => resolve(true))
        timer = setTimeout(() => resolve(false), TASK_TIMEOUT_MS)
      })
      const t0 = performance.now()
      await sendSignedTask(jsonRpc, signed)
      const submitted = await done
      clearTimeout(timer)
      waiting.delete(signed.taskHash)
      if (!submitted) {
        unfinalized++
        progress(`task ${signed.taskHash} not submitted within ${TASK_TIMEOUT_MS / 1000} s`)
        return undefined
      }
      return performance.now() - t0
    }

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
      blsBackends: [...new Set([(await relay.ready).blsBackend, ...readies.map((r) => r.blsBackend)])],
      attestersPerProcess: perProcess,
      tasks,
      unfinalized,
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
    // nodes before the relay they keep redialling
    await Promise.all(roles.filter((r) => r.kind !== 'relay').map((r) => r.stop()))
    await Promise.all(roles.filter((r) => r.kind === 'relay').map((r) => r.stop()))
    await anvil.stop()
    rmSync(dataDir, { recursive: true, force: true })
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
