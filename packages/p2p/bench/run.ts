/// <reference types="node" />
// Gossip benchmark: one relay (own process) with 200 Node peers over WebSocket (this process).
// Measures delivery latency of custom messages published by random peers to every other peer
// through the relay, and the relay's memory per connected peer. Prints one JSON document.
//   npm run bench -w @wisp/p2p          (--quick: 50 peers, fewer messages)
import { fork } from 'node:child_process'
import { availableParallelism, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { createNodePeer, type WispNetwork } from '../src/node/index.js'

const QUICK = process.argv.includes('--quick')
const PEERS = QUICK ? 50 : 200
const MESSAGES = QUICK ? 20 : 60
const PUBLISH_INTERVAL_MS = 100
const NAMESPACE = 'wisp-bench'

const now = () => performance.timeOrigin + performance.now()
const log = (line: string) => process.stderr.write(`${line}\n`)

interface Memory {
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
}

const child = fork(fileURLToPath(new URL('./relay-process.ts', import.meta.url)), [NAMESPACE], {
  execArgv: ['--conditions=@wisp/source', '--import', 'tsx', '--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
})
let nextId = 0
const pending = new Map<number, (value: unknown) => void>()
let ready: (info: { address: string; peerId: string }) => void
const readyP = new Promise<{ address: string; peerId: string }>((r) => {
  ready = r
})
child.on(
  'message',
  (msg: { id?: number; value?: unknown; ready?: boolean; address?: string; peerId?: string }) => {
    if (msg.ready) ready({ address: msg.address!, peerId: msg.peerId! })
    else if (msg.id !== undefined) pending.get(msg.id)?.(msg.value)
  },
)
function ask<T>(op: 'memory' | 'mesh' | 'stop'): Promise<T> {
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, (v) => resolve(v as T))
    child.send({ id, op })
  })
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

const { address } = await readyP
const baseline = await ask<Memory>('memory')
log(`relay up at ${address}; starting ${PEERS} peers`)

const peers: WispNetwork[] = []
const connectStart = now()
for (let i = 0; i < PEERS; i += 20) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(20, PEERS - i) }, async () => {
      const peer = await createNodePeer({
        topicNamespace: NAMESPACE,
        customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
      })
      await peer.dial(address)
      return peer
    }),
  )
  peers.push(...batch)
}
await until(
  'every peer in the relay mesh',
  async () => (await ask<{ mesh: number }>('mesh')).mesh === PEERS,
  120_000,
)
const connectSeconds = (now() - connectStart) / 1000
await until(
  'every peer meshed with the relay',
  async () => peers.every((p) => p.meshPeers('customMessage').length > 0),
  60_000,
)
const connected = await ask<Memory & { mesh?: number }>('memory')
log(`${PEERS} peers connected and meshed in ${round(connectSeconds)} s`)

// Each message carries its send time; every other peer records the delay.
const latencies: number[] = []
const expected = MESSAGES * (PEERS - 1)
for (const peer of peers) {
  peer.onMessage('customMessage', (r) => {
    const sentAt = Number(Buffer.from(r.message.data.slice(2), 'hex').toString('utf8').split(':')[1])
    latencies.push(now() - sentAt)
  })
}
for (let m = 0; m < MESSAGES; m++) {
  const author = peers[Math.floor(Math.random() * peers.length)]!
  const payload = Buffer.from(`${m}:${now().toFixed(3)}`).toString('hex')
  await author.publish('customMessage', { data: `0x${payload}` })
  await new Promise((r) => setTimeout(r, PUBLISH_INTERVAL_MS))
}
await until('all deliveries', async () => latencies.length >= expected, 60_000).catch(() => undefined)
const afterGossip = await ask<Memory>('memory')

const sorted = [...latencies].sort((a, b) => a - b)
const perPeer = (k: keyof Memory) => round((connected[k] - baseline[k]) / PEERS / 1024, 1)
const result = {
  benchmark: '@wisp/p2p gossip through one relay',
  peers: PEERS,
  transport: 'WebSocket on 127.0.0.1, Noise, Yamux, gossipsub',
  message: 'custom message (~20 bytes), one every 100 ms from a random peer',
  messages: MESSAGES,
  deliveries: { received: latencies.length, expected },
  latencyMs: {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  },
  connectSeconds: round(connectSeconds),
  relayMemory: {
    baselineMiB: { rss: round(baseline.rss / 2 ** 20, 1), heapUsed: round(baseline.heapUsed / 2 ** 20, 1) },
    connectedMiB: {
      rss: round(connected.rss / 2 ** 20, 1),
      heapUsed: round(connected.heapUsed / 2 ** 20, 1),
    },
    afterGossipMiB: {
      rss: round(afterGossip.rss / 2 ** 20, 1),
      heapUsed: round(afterGossip.heapUsed / 2 ** 20, 1),
    },
    perPeerKiB: { rss: perPeer('rss'), heapUsed: perPeer('heapUsed'), external: perPeer('external') },
  },
  machine: { node: process.version, cpus: availableParallelism(), memoryGiB: round(totalmem() / 2 ** 30, 1) },
  note: `the ${PEERS} peers share one process and event loop, so latency includes their scheduling, not only the relay`,
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)

await Promise.all(peers.map((p) => p.stop()))
await ask('stop')
process.exit(0)
