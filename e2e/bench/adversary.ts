// Finality under a flood of bad messages, printed as JSON on stdout: for each flood rate (rogue
// messages per second), tasks sent one at a time through the aggregator's JSON-RPC while a rogue
// peer publishes the mixed garbage of test/support/rogue.ts; finality (sendTask → the
// aggregator's receipt) p50/p99 and tasks triggered vs. finalized. The relay cuts a rogue off
// within a second or so, so the flood comes from a rotation of fresh identities (a new peer id
// each time the previous one is hung up), as a Sybil attacker would keep it up.
// Real parts: anvil, the devnet's chain-mode relay, Node performer, aggregator and three
// attesters in this process, the rogue a real libp2p peer over loopback; all on this machine's
// cores, so compare figures from one run only.
//   npm run bench -w @wisp/e2e                              (runs bench/run.ts, then this)
//   node --conditions=@wisp/source --import tsx bench/adversary.ts --quick   (5 tasks per rate)
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineEvents } from '@wisp/core'
import { sendSignedTask, signedHashChainTask, startDevnet } from '@wisp/devnet'
import { createConsoleLogger } from '@wisp/node'
import { stringToBytes } from 'viem'
import { ADVERSARY_DEVNET, rogueTarget } from '../test/support/adversary.ts'
import { type RoguePeer, startRoguePeer } from '../test/support/rogue.ts'
import { percentile } from '../test/support/stats.ts'

type Hex = `0x${string}`
const QUICK = process.argv.includes('--quick')
const TASKS_PER_RATE = QUICK ? 5 : 20
const RATES = [0, 200, 1000]
const TASK_TIMEOUT_MS = 30_000
const progress = (line: string) => process.stderr.write(`[bench:adversary] ${line}\n`)

const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-adversary-'))
const logger = createConsoleLogger({ level: 'error', write: (l) => process.stderr.write(`${l}\n`) })
progress('starting the devnet')
const devnet = await startDevnet(
  { ...ADVERSARY_DEVNET, dataDir: join(dataDir, 'devnet') },
  { logger, print: () => undefined },
)
const submitted = new Map<Hex, { at: number; event: EngineEvents['submission:sent']['event'] }>()
devnet.aggregator.engine.events.on('submission:sent', (e) =>
  submitted.set(e.taskHash as Hex, { at: Date.now(), event: e.event }),
)

/** A flood at `rate` messages a second until `signal` aborts, rotating identities as they are cut off. */
async function steadyFlood(rate: number, seed: number, signal: AbortSignal) {
  const totals = { messages: 0, published: 0, identities: 0, cutOffMs: [] as number[] }
  let rogue: RoguePeer | undefined
  while (!signal.aborted) {
    rogue = await startRoguePeer({
      relay: devnet.info.relay,
      seed: seed + totals.identities,
      target: rogueTarget(devnet),
    })
    totals.identities++
    const joined = Date.now()
    // until the relay hangs up (or 5 s pass without it subscribing us)
    while (!signal.aborted && !rogue.connectedTo(devnet.relay.peerId) && Date.now() - joined < 5000)
      await new Promise((resolve) => setTimeout(resolve, 20))
    const started = Date.now()
    while (!signal.aborted && rogue.connectedTo(devnet.relay.peerId)) {
      const report = await rogue.flood(Math.max(1, Math.round(rate / 10)), { ratePerSecond: rate, signal })
      totals.messages += report.sent + report.failed
      totals.published += report.sent
    }
    if (!signal.aborted) totals.cutOffMs.push(Date.now() - started)
    await rogue.stop().catch(() => undefined)
  }
  return totals
}

const results: unknown[] = []
try {
  // warm-up: the first task pays for JIT and connections
  const warm = await signedHashChainTask(devnet, stringToBytes('bench/warm-up'))
  await sendSignedTask(devnet.info.jsonRpc, warm)
  while (!submitted.has(warm.taskHash)) await new Promise((resolve) => setTimeout(resolve, 50))

  for (const [r, rate] of RATES.entries()) {
    progress(`${rate} bad messages/s: ${TASKS_PER_RATE} tasks`)
    const phaseStarted = Date.now()
    const abort = new AbortController()
    const flood = rate > 0 ? steadyFlood(rate, 1000 * (r + 1), abort.signal) : undefined
    const latencies: number[] = []
    let finalized = 0
    for (let i = 0; i < TASKS_PER_RATE; i++) {
      const task = await signedHashChainTask(devnet, stringToBytes(`bench/adversary/${rate}/${i}`))
      const sentAt = Date.now()
      await sendSignedTask(devnet.info.jsonRpc, task)
      const deadline = sentAt + TASK_TIMEOUT_MS
      while (!submitted.has(task.taskHash) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      const outcome = submitted.get(task.taskHash)
      if (outcome?.event === 'TaskSubmitted') {
        finalized++
        latencies.push(outcome.at - sentAt)
      }
    }
    abort.abort()
    const totals = await flood
    const phaseSeconds = (Date.now() - phaseStarted) / 1000
    latencies.sort((a, b) => a - b)
    const scores = [devnet.performer, devnet.aggregator, ...devnet.attesters].map((n) =>
      n.network.score(devnet.relay.peerId),
    )
    results.push({
      ratePerSecond: rate,
      triggered: TASKS_PER_RATE,
      finalized,
      finalityMs: {
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? null,
      },
      rogueMessages: totals?.messages ?? 0,
      /** what the rogues actually got out while connected, over the whole phase */
      rogueMessagesPerSecond: Math.round((totals?.messages ?? 0) / phaseSeconds),
      rogueIdentities: totals?.identities ?? 0,
      rogueCutOffMs: totals
        ? {
            p50: percentile(
              [...totals.cutOffMs].sort((a, b) => a - b),
              50,
            ),
          }
        : null,
      relayBannedSoFar: devnet.relay.banned().length,
      relayScoreMin: Math.min(...scores),
    })
  }
  console.log(
    JSON.stringify(
      {
        benchmark: '@wisp/e2e adversary',
        node: process.version,
        cores: availableParallelism(),
        quick: QUICK,
        network: {
          nodeAttesters: devnet.options.attesterPowers.length,
          blockTimeSeconds: devnet.options.blockTimeSeconds,
          aggregatorDelayMs: devnet.options.aggregatorDelayMs,
          hashChainIterations: devnet.options.hashChainIterations,
        },
        rates: results,
      },
      null,
      2,
    ),
  )
} finally {
  await devnet.stop()
  rmSync(dataDir, { recursive: true, force: true })
}
