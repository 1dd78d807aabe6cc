// Task finality on the local network: JSON-RPC sendTask → TaskSubmitted receipt, with 16 Node
// attesters on loopback, all in this process (so on this machine's 2 cores every operator's BLS
// work competes: real deployments spread it over machines). Prints JSON.
//   npm run bench -w @wisp/devnet          (-- --quick for fewer tasks; WISP_BENCH_ATTESTERS=N)
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConsoleLogger } from '@wisp/node'
import { hashChain } from '@wisp/plugin-hash-chain'
import { buildSendTaskParams, type TaskInfo, taskHash } from '@wisp/protocol'
import { stringToHex } from 'viem'
import { sign } from 'viem/accounts'
import { startDevnet } from '../src/devnet.js'

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

const performer = devnet.chain.operators[0]!
let counter = 0
async function sendTask(): Promise<number> {
  const seed = stringToHex(`bench:${counter++}:${Date.now()}`)
  const task: TaskInfo = {
    proofOfTask: hashChain(Buffer.from(seed.slice(2), 'hex'), ITERATIONS),
    data: seed,
    taskPerformer: performer.address,
    taskDefinitionId: devnet.taskDefinitions.hashChain,
  }
  const hash = taskHash(task)
  const signature = await sign({ hash, privateKey: performer.ecdsaKey, to: 'hex' })
  const done = devnet.aggregator.engine.events.once('submission:sent', (e) => e.taskHash === hash)
  const started = performance.now()
  const response = await fetch(devnet.info.jsonRpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'sendTask',
      params: buildSendTaskParams({ task, signature: { type: 'ecdsa', signature } }),
    }),
  })
  if (!response.ok) throw new Error(`sendTask HTTP ${response.status}`)
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
