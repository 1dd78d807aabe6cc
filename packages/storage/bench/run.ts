// What an attester's store costs per vote: slashing protection's durable record (one fsync'd
// read-modify-write on LevelDB, the Node runtime's store) next to the in-memory store, plus the
// history writes and reads a dashboard makes. Prints JSON.
//   npm run bench -w @wisp/storage          (-- --quick for fewer operations)
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { History, type KeyValueStore, MemoryStore, SlashingProtection } from '../src/index.js'
import { LevelStore } from '../src/level.js'

const QUICK = process.argv.includes('--quick')
const VOTES = QUICK ? 200 : 2000
const OPERATOR = '0x1111111111111111111111111111111111111111'
const hashOf = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as const

async function measure(store: KeyValueStore) {
  const slashing = new SlashingProtection(store)
  const history = new History(store)
  let t = performance.now()
  for (let i = 0; i < VOTES; i++) await slashing.recordVote(OPERATOR, hashOf(i), 'approve')
  const recordMs = (performance.now() - t) / VOTES
  t = performance.now()
  // a burst: votes for many tasks recorded concurrently (what a busy attester does)
  await Promise.all(
    Array.from({ length: VOTES }, (_, i) => slashing.recordVote(OPERATOR, hashOf(VOTES + i), 'reject')),
  )
  const burstPerSecond = VOTES / ((performance.now() - t) / 1000)
  t = performance.now()
  for (let i = 0; i < VOTES; i++) {
    await history.addAttestation({
      taskHash: hashOf(i),
      taskDefinitionId: 0,
      operator: OPERATOR,
      verdict: 'approve',
      at: 1_700_000_000_000 + i,
    })
  }
  const historyWriteMs = (performance.now() - t) / VOTES
  t = performance.now()
  const recent = await history.recentAttestations(50)
  const recent50Ms = performance.now() - t
  if (recent.length !== 50) throw new Error(`recentAttestations returned ${recent.length}`)
  return {
    recordVoteMs: round(recordMs),
    recordVoteBurstPerSecond: Math.round(burstPerSecond),
    historyWriteMs: round(historyWriteMs),
    recent50Ms: round(recent50Ms),
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000
const dir = mkdtempSync(join(tmpdir(), 'wisp-storage-bench-'))
try {
  const level = await LevelStore.open({ path: join(dir, 'db') })
  const durable = await measure(level)
  await level.close()
  const memory = await measure(new MemoryStore())
  console.log(
    JSON.stringify(
      {
        benchmark: '@wisp/storage',
        node: process.version,
        cores: availableParallelism(),
        quick: QUICK,
        votes: VOTES,
        results: { level: durable, memory },
        ratios: {
          levelOverMemoryRecordVote: round(durable.recordVoteMs / Math.max(memory.recordVoteMs, 0.001)),
        },
      },
      null,
      2,
    ),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
