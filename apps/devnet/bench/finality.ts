// Task finality on the local network: JSON-RPC sendTask → TaskSubmitted receipt, with 16 Node
// attesters on loopback, all in this process (so on this machine's 2 cores every operator's BLS
// work competes: real deployments spread it over machines). Prints JSON.
//   npm run bench -w @wisp/devnet          (-- --quick for fewer tasks; WISP_BENCH_ATTESTERS=N)
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConsoleLogger } from '@wisp/node'
import { stringToBytes } from 'viem'
import { startDevnet } from '../src/devnet.js'
import { sendSignedTask, signedHashChainTask } from '../src/tasks.js'

const QUICK = process.argv.includes('--quick')
const ATTESTERS = Number(process.env.WISP_BENCH_ATTESTERS ?? 16)
const ITERATIONS = 500
const SEQUENTIAL = QUICK ? 5 : 20
const BURST = QUICK ? 10 : 40
const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-'))

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)
progress(`starting a local network with ${ATTESTERS} attesters`)
const devnet = await startDevnet(
  {
    dataDir,
    attesterPowers: Array.from({ length: ATTESTERS }, () => 10),
    ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
    web: false,
    schedule: false,
    blockTimeSeconds: 0, // automine: measure Wisp, not a block timer
    hashChainIterations: ITERATIONS,
    roundRobinInterval: 1_000_000,
    aggregatorDelayMs: 0,
  },
  { logger: createConsoleLogger({ level: 'error' }), print: () => undefined },
)

let counter = 0
async function sendTask(): Promise<number> {
  const signed = await signedHashChainTask(devnet, stringToBytes(`bench:${counter++}:${Date.now()}`))
  const hash = signed.taskHash
  const done = devnet.aggregator.engine.events.once('submission:sent', (e) => e.taskHash === hash)
  const started = performance.now()
  await sendSignedTask(devnet.info.jsonRpc, signed)
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([
    done,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`task ${hash} did not finalize within 60 s`)), 60_000)
    }),
  ])
  clearTimeout(timer)
  return performance.now() - started
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
const round = (x: number) => Math.round(x * 10) / 10

progress('network up')
try {
  await sendTask() // warm-up
  progress('warm-up task finalized') // JIT, worker pools and key caches are warm now
  const latencies: number[] = []
  for (let i = 0; i < SEQUENTIAL; i++) latencies.push(await sendTask())
  const burstStarted = performance.now()
  const burst = await Promise.all(Array.from({ length: BURST }, () => sendTask()))
  const burstSeconds = (performance.now() - burstStarted) / 1000
  console.log(
    JSON.stringify(
      {
        benchmark: '@wisp/devnet finality',
        node: process.version,
        cores: availableParallelism(),
        attesters: ATTESTERS,
        hashChainIterations: ITERATIONS,
        mining: 'anvil automine',
        sequential: {
          tasks: SEQUENTIAL,
          p50Ms: round(percentile(latencies, 50)),
          p99Ms: round(percentile(latencies, 99)),
          maxMs: round(Math.max(...latencies)),
        },
        burst: {
          tasks: BURST,
          tasksPerSecond: round(BURST / burstSeconds),
          p50Ms: round(percentile(burst, 50)),
          p99Ms: round(percentile(burst, 99)),
        },
      },
      null,
      2,
    ),
  )
} finally {
  await devnet.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
