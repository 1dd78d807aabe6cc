// The light operators' benchmark (issue 6), printed as JSON on stdout:
// - the web attester's initial JS (gzip) and the edge worker's bundle size;
// - task finality (sendTask → the aggregator's receipt) p50/p99 with six browser attesters and the
//   edge attester in the quorum (the Node attester alone cannot reach it), tasks one at a time;
// - a burst of 100 tasks: throughput, finality, and the longest main-thread task on any page, both
//   wall-clock (PerformanceObserver) and CPU time (Chromium trace).
// Everything runs on this machine: anvil, the relay, the Node peers, six Chromium renderers and
// workerd share its cores, so compare figures from one run, not across machines.
//   npm run bench -w @wisp/e2e            (-- --quick: 5 sequential tasks, a burst of 20)
import { availableParallelism } from 'node:os'
import { buildEdgeWorker } from '@wisp/edge/local'
import { OPERATOR_DEFAULTS } from '@wisp/operator'
import { webAppDir } from '@wisp/web/server'
import { measureWebBuild } from '../../apps/web/scripts/bundle-size.mjs'
import { runBurst } from '../test/support/burst.ts'
import prepareBundles from '../test/support/global-setup.ts'
import { startNetwork } from '../test/support/network.ts'
import { cpuByKind, readProcessCpu } from '../test/support/process-cpu.ts'
import { percentile } from '../test/support/stats.ts'

const round = (x: number) => Math.round(x * 100) / 100

const QUICK = process.argv.includes('--quick')
const SEQUENTIAL = QUICK ? 5 : 20
const BURST = QUICK ? 20 : 100
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)

await prepareBundles()
const web = measureWebBuild(webAppDir())
const edge = await buildEdgeWorker()

progress('starting the network: devnet, six browsers, the edge worker')
// the aggregator's latency rule (the default), not the tests' fixed window: what a network runs
const net = await startNetwork({ aggregatorDelayMs: 0 })
try {
  const browserIds = new Set(net.browsers.map((b) => b.operatorId))
  const warm = await net.sendTask()
  await net.aggregator.submitted(warm.taskHash)
  progress('warm-up task finalized')

  const latencies: number[] = []
  let fewestBrowsers = Number.POSITIVE_INFINITY
  let withEveryBrowser = 0
  for (let i = 0; i < SEQUENTIAL; i++) {
    const task = await net.sendTask()
    const sent = await net.aggregator.submitted(task.taskHash)
    if (sent.event !== 'TaskSubmitted') throw new Error(`task ${task.taskHash} was not approved`)
    latencies.push(sent.at - task.sentAt)
    const browsersIn = sent.attesterIds.filter((id) => browserIds.has(id)).length
    fewestBrowsers = Math.min(fewestBrowsers, browsersIn)
    if (browsersIn === browserIds.size) withEveryBrowser++
  }
  latencies.sort((a, b) => a - b)
  progress(`${SEQUENTIAL} sequential tasks finalized; burst of ${BURST}`)
  const cpuBefore = readProcessCpu()
  const { report: burst } = await runBurst(net, BURST)
  // includes the burst's bookkeeping (the Chromium trace, the per-page controls): an upper bound
  const cpuPerTask = cpuByKind(cpuBefore, readProcessCpu(), BURST)

  console.log(
    JSON.stringify(
      {
        benchmark: '@wisp/e2e light operators',
        node: process.version,
        cores: availableParallelism(),
        network: {
          browsers: net.browsers.length,
          edgeAttesters: 1,
          nodeAttesters: net.options.attesterPowers.length,
          blockTimeSeconds: net.options.blockTimeSeconds,
          aggregatorDelayMs: net.options.aggregatorDelayMs,
          aggregatorLatencyMs: OPERATOR_DEFAULTS.aggregator.latencyMs,
        },
        bundles: {
          webInitialJsGzipBytes: web.initialJs.gzipBytes,
          webInitialJsRawBytes: web.initialJs.rawBytes,
          webInitialCssGzipBytes: web.initialCss.gzipBytes,
          webEngineJsGzipBytes: web.pageModeEngine.gzipBytes,
          edgeWorkerRawBytes: edge.rawBytes,
          edgeWorkerGzipBytes: edge.gzipBytes,
        },
        finality: {
          tasks: SEQUENTIAL,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          maxMs: latencies.at(-1),
          fewestBrowsersInQuorum: fewestBrowsers,
          tasksWithEveryBrowserVote: round(withEveryBrowser / SEQUENTIAL),
        },
        burst: {
          tasks: burst.tasks,
          tasksPerSecond: burst.tasksPerSecond,
          finalityMs: burst.finalityMs,
          longestMainThreadTaskWallMs: burst.longTasksObserved.maxWallMs,
          longestMainThreadTaskCpuMs: burst.longTasksTraced.maxCpuMs,
          mainThreadTasksOver50msCpu: burst.longTasksTraced.overBudget.length,
          longTasksObservedPerPage: burst.longTasksObserved.perPage.map((p) => p.count),
          cpuMsPerTaskByProcessKind: cpuPerTask,
        },
      },
      null,
      2,
    ),
  )
} finally {
  await net.stop()
}
