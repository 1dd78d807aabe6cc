/// <reference types="node" />
// Federation benchmark: RELAYS relay processes (the first started alone, the others given only its
// address: they find each other through announcements) and PEERS Node peers in this process,
// spread evenly over the relays. Random peers publish custom messages; every other peer records
// the delay, split into peers on the author's relay and peers on another relay. Also the relays'
// memory per connected peer. Prints one JSON document.
//   npm run bench -w @wisp/relay            (4 relays, 200 peers; --quick: 2 relays, 40 peers)
//   npm run bench -w @wisp/relay -- --relays 4 --peers 400
import { type ChildProcess, fork } from 'node:child_process'
import { availableParallelism, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createNodePeer, type WispNetwork } from '@wisp/p2p/node'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    relays: { type: 'string' },
    peers: { type: 'string' },
    messages: { type: 'string' },
  },
})
const QUICK = values.quick === true
const RELAYS = Number(values.relays ?? (QUICK ? 2 : 4))
const PEERS = Number(values.peers ?? (QUICK ? 40 : 200))
const MESSAGES = Number(values.messages ?? (QUICK ? 20 : 40))
const PUBLISH_INTERVAL_MS = 100
const NAMESPACE = 'wisp-federation-bench'

const now = () => performance.timeOrigin + performance.now()
const log = (line: string) => process.stderr.write(`${line}\n`)
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

interface Relay {
  child: ChildProcess
  address: string
  ask<T>(op: 'memory' | 'state' | 'stop'): Promise<T>
}

async function startRelay(peers: string[]): Promise<Relay> {
  const child = fork(fileURLToPath(new URL('./relay-child.ts', import.meta.url)), [NAMESPACE, ...peers], {
    execArgv: ['--conditions=@wisp/source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let nextId = 0
  const pending = new Map<number, (value: unknown) => void>()
  const address = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)))
    child.on('message', (msg: { id?: number; value?: unknown; ready?: boolean; address?: string }) => {
      if (msg.ready) resolve(msg.address!)
      else if (msg.id !== undefined) pending.get(msg.id)?.(msg.value)
    })
  })
  return {
    child,
    address,
    ask<T>(op: 'memory' | 'state' | 'stop') {
      const id = nextId++
      return new Promise<T>((resolve) => {
        pending.set(id, (v) => resolve(v as T))
        child.send({ id, op })
      })
    },
  }
}

async function until(
  what: string,
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
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
const summary = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  }
}

const first = await startRelay([])
const relays = [first]
for (let i = 1; i < RELAYS; i++) relays.push(await startRelay([first.address]))
const discoveryStart = now()
await until(
  'every relay federated with every other',
  async () =>
    (await Promise.all(relays.map((r) => r.ask<{ federated: number }>('state')))).every(
      (s) => s.federated === RELAYS - 1,
    ),
  60_000,
)
const discoverySeconds = (now() - discoveryStart) / 1000
const baseline = await Promise.all(relays.map((r) => r.ask<{ rss: number; heapUsed: number }>('memory')))
log(`${RELAYS} relays federated in ${round(discoverySeconds)} s; starting ${PEERS} peers`)

const peers: WispNetwork[] = []
const relayOf = new Map<string, number>()
for (let i = 0; i < PEERS; i += 20) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(20, PEERS - i) }, async (_, j) => {
      const r = (i + j) % RELAYS
      const peer = await createNodePeer({
        topicNamespace: NAMESPACE,
        customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
      })
      await peer.dial(relays[r]!.address)
      relayOf.set(peer.peerId, r)
      return peer
    }),
  )
  peers.push(...batch)
}
const share = (r: number) => peers.filter((p) => relayOf.get(p.peerId) === r).length
log(`${PEERS} peers connected`)
await until(
  'every peer in its relay mesh',
  async () =>
    (await Promise.all(relays.map((r) => r.ask<{ mesh: number }>('state')))).every(
      (s, r) => s.mesh >= share(r),
    ) && peers.every((p) => p.meshPeers('customMessage').length > 0),
  180_000,
).catch(async (err: Error) => {
  const states = await Promise.all(relays.map((r) => r.ask('state')))
  log(
    `relays: ${JSON.stringify(states)}; peers without a mesh peer: ${peers.filter((p) => p.meshPeers('customMessage').length === 0).length}`,
  )
  throw err
})
const connected = await Promise.all(relays.map((r) => r.ask<{ rss: number; heapUsed: number }>('memory')))
log(`${PEERS} peers meshed`)

const sameRelay: number[] = []
const otherRelay: number[] = []
for (const peer of peers) {
  peer.onMessage('customMessage', (r) => {
    const [, sentAt, author] = Buffer.from(r.message.data.slice(2), 'hex').toString('utf8').split(':')
    const delay = now() - Number(sentAt)
    ;(Number(author) === relayOf.get(peer.peerId) ? sameRelay : otherRelay).push(delay)
  })
}
for (let m = 0; m < MESSAGES; m++) {
  const author = peers[Math.floor(Math.random() * peers.length)]!
  const payload = Buffer.from(`${m}:${now().toFixed(3)}:${relayOf.get(author.peerId)}`).toString('hex')
  await author.publish('customMessage', { data: `0x${payload}` })
  await new Promise((r) => setTimeout(r, PUBLISH_INTERVAL_MS))
}
const expected = MESSAGES * (PEERS - 1)
await until('all deliveries', () => sameRelay.length + otherRelay.length >= expected, 60_000).catch(
  () => undefined,
)

const perPeerKiB = relays.map((_, r) => ({
  rss: round((connected[r]!.rss - baseline[r]!.rss) / share(r) / 1024, 1),
  heapUsed: round((connected[r]!.heapUsed - baseline[r]!.heapUsed) / share(r) / 1024, 1),
}))
const result = {
  benchmark: '@wisp/relay: gossip across federated relays',
  relays: RELAYS,
  peers: PEERS,
  transport: 'WebSocket on 127.0.0.1, Noise, Yamux, gossipsub; relays linked as direct peers',
  message: 'custom message (~30 bytes), one every 100 ms from a random peer',
  messages: MESSAGES,
  relayDiscoverySeconds: round(discoverySeconds),
  deliveries: { received: sameRelay.length + otherRelay.length, expected },
  latencyMs: {
    all: summary([...sameRelay, ...otherRelay]),
    sameRelay: summary(sameRelay),
    otherRelay: summary(otherRelay),
  },
  relayMemoryPerPeerKiB: perPeerKiB,
  machine: { node: process.version, cpus: availableParallelism(), memoryGiB: round(totalmem() / 2 ** 30, 1) },
  note: `the ${PEERS} peers share one process and event loop, so latency includes their scheduling, not only the relays`,
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)

await Promise.all(peers.map((p) => p.stop()))
await Promise.all(relays.map((r) => r.ask('stop')))
for (const r of relays) r.child.kill()
process.exit(0)
