// A relay killed while tasks flow (issue 14, target "kill one relay mid-stream"), on real parts: a
// fresh anvil with the devnet contracts, RELAYS federated relay processes (the first started
// alone, the others given its address), an aggregator (a Node operator: it dials every relay) and
// ATTESTERS light attester nodes (Wisp operators whose network is the light peer of browsers and
// edge workers: they know every relay and hold RELAY_TARGET of them, spread by rendezvous hashing)
// in processes of PER_PROCESS. Tasks are sent at a steady pace, one every INTERVAL_MS, without
// waiting for each other; after the first quarter the relay holding the most attesters is
// SIGKILLed. Reported: how long each of its attesters took to hold another relay, and tasks sent
// against tasks submitted on chain, before and after the kill. Prints one JSON document.
//   npm run bench:failover -w @wisp/devnet
//   WISP_BENCH_FAILOVER_RELAYS=4 WISP_BENCH_FAILOVER_ATTESTERS=96 WISP_BENCH_FAILOVER_PER_PROCESS=32
//   WISP_BENCH_FAILOVER_RELAY_TARGET=1 WISP_BENCH_FAILOVER_TASKS=40 WISP_BENCH_FAILOVER_INTERVAL_MS=3000
import { availableParallelism, totalmem } from 'node:os'
import { percentile, round, sleep, startBenchNetwork } from './setup.js'

const env = (name: string, fallback: number) => Number(process.env[`WISP_BENCH_FAILOVER_${name}`] ?? fallback)
const RELAYS = env('RELAYS', 4)
const ATTESTERS = env('ATTESTERS', 96)
const PER_PROCESS = env('PER_PROCESS', 32)
/** one relay per attester: a lost relay leaves its attesters with none until they move (the worst case) */
const RELAY_TARGET = env('RELAY_TARGET', 1)
const TASKS = env('TASKS', 40)
/** one task every 3 s: what 96 attesters, 4 relays and an aggregator keep up with on 2 cores */
const INTERVAL_MS = env('INTERVAL_MS', 3000)
const FAILOVER_TIMEOUT_MS = 60_000

const progress = (line: string) => process.stderr.write(`[bench:failover] ${line}\n`)

if (RELAYS < 2) throw new Error('WISP_BENCH_FAILOVER_RELAYS: at least 2 relays (one is killed)')

const network = await startBenchNetwork({
  attesters: ATTESTERS,
  validation: 'light',
  attestersPerProcess: PER_PROCESS,
  iterations: 500,
  relays: RELAYS,
  lightAttesters: { relayTarget: RELAY_TARGET },
  attesterReceiveVotes: false,
  attestersShareChain: true,
  progress,
})

/** Every attester node, the relays it holds now and when it connected to each (ms since the epoch). */
async function holdings() {
  const answers = await Promise.all(network.attesterRoles.map((r) => r.ask('relays')))
  return new Map(answers.flatMap((a) => a.nodes.map((n) => [n.peerId, n] as const)))
}

try {
  const relayIds = await Promise.all(network.relays.map(async (r) => (await r.ready).peerIds[0]!))
  const held = await holdings()
  const perRelay = relayIds.map((id) => [...held.values()].filter((n) => n.connected.includes(id)).length)
  // the relay with the most attesters, never the first (the others found each other through it)
  const victim = 1 + perRelay.slice(1).indexOf(Math.max(...perRelay.slice(1)))
  const victimId = relayIds[victim]!
  const orphans = [...held].filter(([, n]) => n.connected.includes(victimId)).map(([id]) => id)
  progress(`attesters per relay ${JSON.stringify(perRelay)}; killing relay ${victim} after task ${TASKS / 4}`)

  const killAt = Math.floor(TASKS / 4)
  let killedAt: number | undefined
  const movedAt = new Map<string, number>()
  const watchFailover = async () => {
    const deadline = performance.now() + FAILOVER_TIMEOUT_MS
    while (movedAt.size < orphans.length && performance.now() < deadline) {
      const now = await holdings()
      for (const id of orphans) {
        if (movedAt.has(id)) continue
        const node = now.get(id)
        const live = node?.connected.find((relay) => relay !== victimId)
        // when the node connected to it (its own clock, not this loop's): 0 for a spare it held already
        if (live !== undefined) movedAt.set(id, Math.max(0, node!.connectedAt[live]! - killedAt!))
      }
      await sleep(250)
    }
  }

  const runs: Array<Promise<{ i: number; ms: number | undefined }>> = []
  let failover: Promise<void> | undefined
  for (let i = 0; i < TASKS; i++) {
    if (i === killAt) {
      killedAt = Date.now()
      network.relays[victim]!.child.kill('SIGKILL')
      failover = watchFailover()
    }
    runs.push(network.sendTask().then((ms) => ({ i, ms })))
    await sleep(INTERVAL_MS)
  }
  const results = await Promise.all(runs)
  await failover
  const moved = [...movedAt.values()]
  const finalized = (from: number, to: number) =>
    results.filter((r) => r.i >= from && r.i < to && r.ms !== undefined)
  const finality = (from: number, to: number) => {
    const ms = finalized(from, to).map((r) => r.ms!)
    return ms.length === 0 ? null : { p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)) }
  }
  // the first tasks after the kill meet attesters between relays: reported apart from the rest
  const settledFrom = Math.min(TASKS, killAt + Math.ceil(10_000 / INTERVAL_MS))
  process.stdout.write(
    `${JSON.stringify(
      {
        benchmark: '@wisp/devnet failover: a relay killed while tasks flow',
        date: new Date().toISOString(),
        node: process.version,
        cores: availableParallelism(),
        memoryGiB: round(totalmem() / 2 ** 30),
        relays: RELAYS,
        attesters: network.startedAttesters,
        attestersPerProcess: PER_PROCESS,
        relayTarget: RELAY_TARGET,
        taskIntervalMs: INTERVAL_MS,
        setupSeconds: network.setupSeconds,
        attestersPerRelay: perRelay,
        killed: { relay: victim, afterTask: killAt, itsAttesters: orphans.length },
        failover: {
          moved: moved.length,
          // still without a live relay when the watch gave up (FAILOVER_TIMEOUT_MS after the kill)
          notMoved: orphans.length - moved.length,
          p50Ms: moved.length ? round(percentile(moved, 50)) : null,
          p99Ms: moved.length ? round(percentile(moved, 99)) : null,
          maxMs: moved.length ? round(Math.max(...moved)) : null,
        },
        tasks: {
          sent: TASKS,
          finalized: finalized(0, TASKS).length,
          lost: TASKS - finalized(0, TASKS).length,
          beforeKill: {
            sent: killAt,
            finalized: finalized(0, killAt).length,
            finalityMs: finality(0, killAt),
          },
          within10sOfKill: {
            sent: settledFrom - killAt,
            finalized: finalized(killAt, settledFrom).length,
            finalityMs: finality(killAt, settledFrom),
          },
          later: {
            sent: TASKS - settledFrom,
            finalized: finalized(settledFrom, TASKS).length,
            finalityMs: finality(settledFrom, TASKS),
          },
        },
        // copies of tasks an attester missed (it voted on a later one): the aggregator's repair
        taskCopies: network.aggregator.copies,
        // votes in each submission, in task order: the killed relay's attesters missing, then back
        attestersPerSubmission: network.submissions.map((s) => s.attesters),
      },
      null,
      2,
    )}\n`,
  )
} finally {
  await network.stop()
}
