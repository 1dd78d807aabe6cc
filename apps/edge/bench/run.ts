// `npm run bench`: the edge bundle's size (scripts/build.mjs --json) and, in real workerd on a
// local AVS, how long a vote of the edge attester takes: from the performer's publish to the
// edge's attestation arriving back at the performer (gossip → relay → workerd: checks, plugin,
// slashing-protection write, BLS sign → relay → performer), and to the TaskSubmitted receipt.
// Prints one JSON document. `--tasks N` (default 20).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { waitFor } from '@wisp/test-utils'
import type { EdgeStatus } from '../src/worker.js'
import { ITERATIONS, NAMESPACE, startLocalAvs } from '../test/support/avs.js'
import { startWorker } from '../test/support/workerd.js'

const { values } = parseArgs({ options: { tasks: { type: 'string', default: '20' } } })
const TASKS = Number(values.tasks)
const root = join(import.meta.dirname, '..')

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!
  const round = (n: number) => Math.round(n * 10) / 10
  return {
    n: s.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(s.at(-1)!),
  }
}

const { stdout } = await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--json'], { cwd: root })
const bundle = JSON.parse(stdout)

const persist = mkdtempSync(join(tmpdir(), 'wisp-edge-bench-'))
const avs = await startLocalAvs()
const edgeId = avs.net.operators[1]!.id
const bootStarted = performance.now()
const worker = await startWorker({
  script: join(root, bundle.bundle),
  bindings: {
    // the operator config every runtime reads
    WISP_CONFIG: JSON.stringify({
      version: 1,
      network: { name: 'edge bench', kind: 'local' },
      chain: {
        rpcUrl: avs.anvil.rpcUrl,
        chainId: avs.net.chainId,
        attestationCenter: avs.net.contracts.attestationCenter,
      },
      p2p: { bootstrap: [avs.relayAddress], topicNamespace: NAMESPACE },
      plugins: [
        {
          package: '@wisp/plugin-hash-chain',
          taskDefinitionIds: [avs.definitionId],
          config: { iterations: ITERATIONS },
        },
      ],
    }),
    OPERATOR_PRIVATE_KEY: avs.net.operators[1]!.ecdsaKey,
    LOG_LEVEL: 'warn',
  },
  durableObjects: { ATTESTER: 'EdgeAttesterObject' },
  persistDir: persist,
})
try {
  const runtimeReadyMs = performance.now() - bootStarted
  const s = await waitFor(
    'the edge attester in the relay mesh',
    async () => {
      const s = await worker.json<EdgeStatus>('/status')
      return s.state === 'running' && avs.relay.meshPeers('task').includes(s.p2p?.peerId ?? '') && s
    },
    { timeoutMs: 60_000 },
  )
  const joinedMs = performance.now() - bootStarted
  await waitFor('the performer in the mesh', () =>
    avs.relay.meshPeers('attestation').includes(avs.performerPeer.peerId),
  )

  const vote: number[] = []
  const finality: number[] = []
  for (let i = 0; i < TASKS; i++) {
    const t0 = performance.now()
    const received = avs.performer.events.once('attestation:received', (e) => e.operatorId === edgeId)
    const submitted = avs.performer.events.once('submission:sent')
    await avs.performer.performer!.tick('bench')
    await received
    vote.push(performance.now() - t0)
    const sent = await submitted
    finality.push(performance.now() - t0)
    if (!sent.attesterIds.includes(edgeId)) throw new Error('the edge vote was not counted')
  }
  const final = await worker.json<EdgeStatus>('/status')
  console.log(
    JSON.stringify(
      {
        bundle: {
          rawBytes: bundle.rawBytes,
          gzipBytes: bundle.gzipBytes,
          brotliBytes: bundle.brotliBytes,
          budgetGzipBytes: bundle.budget.gzipBytes,
          forbidden: bundle.forbidden,
          largestPackages: bundle.largestPackages.slice(0, 6),
        },
        workerd: {
          runtimeReadyMs: Math.round(runtimeReadyMs),
          joinedRelayMeshMs: Math.round(joinedMs),
          peerId: s.p2p?.peerId,
        },
        tasks: TASKS,
        hashChainIterations: ITERATIONS,
        edgeVoteRoundTripMs: summary(vote),
        taskFinalityMs: summary(finality),
        votesCast: final.counts?.published,
      },
      null,
      2,
    ),
  )
} finally {
  await worker.stop()
  await avs.stop()
  rmSync(persist, { recursive: true, force: true })
}
