/// <reference types="node" />
// Federation benchmark: RELAYS relay processes (the first started alone, the others given only its
// address: they find each other through announcements) and PEERS light peers spread over
// PEER_PROCESSES child processes (so the relays, not one event loop running every peer, set the
// latency). Each peer is given every relay and holds RELAY_TARGET of them (rendezvous hashing
// spreads them). Random peers publish custom messages; every other peer records the delay, split
// into peers on the author's relay and peers on another relay. Also the relays' memory per
// connected peer and the peer processes' memory. With --kill, a second phase keeps publishing
// while one relay is SIGKILLed: how long its peers take to hold another relay, and how many
// messages each peer missed (sent − received) before, during and after the failover.
// Prints one JSON document.
//   npm run bench -w @wisp/relay            (4 relays, 200 peers; --quick: 2 relays, 40 peers)
//   npm run bench -w @wisp/relay -- --relays 4 --peers 1000 --kill
import { type ChildProcess, fork } from 'node:child_process'
import { availableParallelism, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    relays: { type: 'string' },
    peers: { type: 'string' },
    messages: { type: 'string' },
    'peer-processes': { type: 'string' },
    'relay-target': { type: 'string' },
    kill: { type: 'boolean' },
    'kill-messages': { type: 'string' },
    'interval-ms': { type: 'string' },
  },
})
const QUICK = values.quick === true
const RELAYS = Number(values.relays ?? (QUICK ? 2 : 4))
const PEERS = Number(values.peers ?? (QUICK ? 40 : 200))
const MESSAGES = Number(values.messages ?? (QUICK ? 20 : 40))
/** about 250 peers per process: one process per relay's worth at 1 000 peers */
const PEER_PROCESSES = Number(values['peer-processes'] ?? Math.max(1, Math.ceil(PEERS / 250)))
/** one relay per peer: a lost relay leaves its peers with none until they move (the worst case) */
const RELAY_TARGET = Number(values['relay-target'] ?? 1)
const KILL = values.kill === true
/** kill phase: this many messages, the kill after the first quarter of them */
const KILL_MESSAGES = Number(values['kill-messages'] ?? 200)
/** one message every this many ms (each reaches every peer: PEERS deliveries) */
const PUBLISH_INTERVAL_MS = Number(values['interval-ms'] ?? 100)
const FAILOVER_TIMEOUT_MS = 60_000
const JOIN_TIMEOUT_MS = Number(process.env.JOIN_TIMEOUT_MS ?? 240_000)
const NAMESPACE = 'wisp-federation-bench'

const now = () => performance.timeOrigin + performance.now()
const log = (line: string) => process.stderr.write(`${line}\n`)
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Child {
  child: ChildProcess
  ready: { address?: string; peerId?: string }
  ask<T>(op: string, args?: Record<string, unknown>): Promise<T>
}

/** Forks a bench child and speaks its request/response IPC; resolves once it said it is ready. */
async function forkChild(file: string, argv: string[]): Promise<Child> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), argv, {
    execArgv: ['--conditions=@wisp/source', '--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let nextId = 0
  const pending = new Map<number, (value: unknown) => void>()
  const ready = await new Promise<Child['ready']>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)))
    child.on('message', (msg: { id?: number; value?: unknown; ready?: boolean; address?: string }) => {
      if (msg.ready) resolve(msg as Child['ready'])
      else if (msg.id !== undefined) pending.get(msg.id)?.(msg.value)
    })
  })
  return {
    child,
    ready,
    ask<T>(op: string, args: Record<string, unknown> = {}) {
      const id = nextId++
      return new Promise<T>((resolve) => {
        pending.set(id, (v) => {
          pending.delete(id)
          resolve(v as T)
        })
        child.send({ id, op, ...args })
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
    await sleep(200)
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

type Memory = { rss: number; heapUsed: number; heapTotal?: number; external?: number }
type PeerState = { peerId: string; relays: string[]; meshed: boolean; why?: unknown }
type Published = { ok: boolean; sentAt: number; recipients?: number; error?: string }
const live = new Set<ChildProcess>()
const killAll = () => {
  for (const c of live) c.kill('SIGKILL')
}
process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll()
    process.exit(1)
  })
}

const startRelay = async (peers: string[]) => {
  const relay = await forkChild('./relay-child.ts', [NAMESPACE, ...peers])
  live.add(relay.child)
  return { ...relay, address: relay.ready.address!, peerId: relay.ready.peerId! }
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
const baseline = await Promise.all(relays.map((r) => r.ask<Memory>('memory')))
log(
  `${RELAYS} relays federated in ${round(discoverySeconds)} s; starting ${PEERS} peers in ${PEER_PROCESSES} processes`,
)

const addresses = relays.map((r) => r.address)
const joinStart = now()
const peerProcesses = await Promise.all(
  Array.from({ length: PEER_PROCESSES }, async (_, i) => {
    const count = Math.floor(PEERS / PEER_PROCESSES) + (i < PEERS % PEER_PROCESSES ? 1 : 0)
    const c = await forkChild('./peer-child.ts', [
      NAMESPACE,
      String(count),
      String(RELAY_TARGET),
      ...addresses,
    ])
    live.add(c.child)
    return c
  }),
)
const peerStates = async () =>
  (await Promise.all(peerProcesses.map((p) => p.ask<PeerState[]>('state')))).flat()
const relayIndex = new Map(relays.map((r, i) => [r.peerId, i]))
/** every peer's process, and its first relay (the one a message counts as "same relay" for) */
const processOf = new Map<string, Child>()
const relayOf = new Map<string, number>()
const readStates = async () => {
  const out: PeerState[] = []
  for (const [p, states] of (
    await Promise.all(peerProcesses.map((p) => p.ask<PeerState[]>('state')))
  ).entries()) {
    for (const s of states) processOf.set(s.peerId, peerProcesses[p]!)
    out.push(...states)
  }
  return out
}
await until(
  'every peer on its relays and in a mesh',
  async () => {
    const states = await readStates()
    const relayStates = await Promise.all(relays.map((r) => r.ask<{ mesh: number }>('state')))
    const share = relays.map((r) => states.filter((s) => s.relays.includes(r.peerId)).length)
    return (
      states.length === PEERS &&
      states.every((s) => s.relays.length >= RELAY_TARGET && s.meshed) &&
      relayStates.every((s, r) => s.mesh >= share[r]!)
    )
  },
  JOIN_TIMEOUT_MS,
).catch(async (err: Error) => {
  const states = await peerStates()
  log(
    `relays: ${JSON.stringify(await Promise.all(relays.map((r) => r.ask('state'))))}; peers: ${states.length}, without a relay: ${states.filter((s) => s.relays.length === 0).length}, without a mesh peer: ${states.filter((s) => !s.meshed).length}, e.g. ${JSON.stringify(states.filter((s) => !s.meshed).slice(0, 3))}`,
  )
  throw err
})
const joinSeconds = (now() - joinStart) / 1000
const states = await readStates()
for (const s of states) relayOf.set(s.peerId, relayIndex.get(s.relays[0]!)!)
const share = relays.map((r) => states.filter((s) => s.relays.includes(r.peerId)).length)
const connected = await Promise.all(relays.map((r) => r.ask<Memory>('memory')))
const relayConnections = await Promise.all(relays.map((r) => r.ask<{ connections: number }>('state')))
const peerMemory = await Promise.all(peerProcesses.map((p) => p.ask<Memory>('memory')))
log(`${PEERS} peers meshed in ${round(joinSeconds)} s (per relay: ${share.join(', ')})`)

const peerIds = states.map((s) => s.peerId)
interface Sent extends Published {
  m: number
  author: string
}
/** Publishes message `m` from a random peer (of `among`); records what its process said. */
async function publishOne(m: number, among: string[]): Promise<Sent> {
  const author = among[Math.floor(Math.random() * among.length)]!
  const r = await processOf.get(author)!.ask<Published>('publish', { peer: author, m })
  return { ...r, m, author }
}
/** Every peer's received messages: peer id → message number → delay (ms). */
async function allReceived() {
  const out = new Map<string, Map<number, number>>()
  for (const part of await Promise.all(
    peerProcesses.map((p) => p.ask<Record<string, [number, number][]>>('received')),
  )) {
    for (const [id, entries] of Object.entries(part)) out.set(id, new Map(entries))
  }
  return out
}

type Cpu = { user: number; system: number }
const cpuNow = () => Promise.all([...relays, ...peerProcesses].map((c) => c.ask<Cpu>('cpu')))
/** CPU seconds each process used per second of wall time since `from` (1 = one core busy). */
const cpuShare = (from: Cpu[], to: Cpu[], seconds: number) => {
  const share = (i: number) =>
    round((to[i]!.user + to[i]!.system - from[i]!.user - from[i]!.system) / 1e6 / seconds)
  return {
    relays: relays.map((_, i) => share(i)),
    peerProcesses: peerProcesses.map((_, i) => share(relays.length + i)),
  }
}

// Phase 1: latency with every relay up.
const sent: Sent[] = []
const idleFrom = await cpuNow()
await sleep(3000)
const idleCpu = cpuShare(idleFrom, await cpuNow(), 3)
const publishStart = now()
const cpuFrom = await cpuNow()
for (let m = 0; m < MESSAGES; m++) {
  sent.push(await publishOne(m, peerIds))
  await sleep(PUBLISH_INTERVAL_MS)
}
const publishCpu = cpuShare(cpuFrom, await cpuNow(), (now() - publishStart) / 1000)
const afterPublishing = await Promise.all(relays.map((r) => r.ask<Memory>('memory')))
const expected = sent.filter((s) => s.ok).length * (PEERS - 1)
let received = await allReceived()
const count = (r: typeof received) => [...r.values()].reduce((n, m) => n + m.size, 0)
await until(
  'all deliveries',
  async () => {
    received = await allReceived()
    return count(received) >= expected
  },
  30_000,
).catch(() => undefined)
const sameRelay: number[] = []
const otherRelay: number[] = []
for (const s of sent) {
  for (const [id, got] of received) {
    const delay = got.get(s.m)
    if (delay === undefined || id === s.author) continue
    ;(relayOf.get(id) === relayOf.get(s.author) ? sameRelay : otherRelay).push(delay)
  }
}
// Where the delay goes: each peer process handles a message for its peers one after another on
// one event loop (decrypt, decode, signature check, validators per peer). The first of its peers
// to get a message marks when the message reached the process through the relays; the rest is
// that process working through its peers.
const firstInProcess: number[] = []
const spreadInProcess: number[] = []
for (const s of sent) {
  for (const child of peerProcesses) {
    const delays = [...received]
      .filter(([id]) => id !== s.author && processOf.get(id) === child)
      .map(([, got]) => got.get(s.m))
      .filter((d): d is number => d !== undefined)
    if (delays.length === 0) continue
    firstInProcess.push(Math.min(...delays))
    spreadInProcess.push(Math.max(...delays) - Math.min(...delays))
  }
}

const perPeerKiB = relays.map((_, r) => ({
  peers: share[r]!,
  connections: relayConnections[r]!.connections,
  rss: round((connected[r]!.rss - baseline[r]!.rss) / share[r]! / 1024, 1),
  rssAfterPublishing: round((afterPublishing[r]!.rss - baseline[r]!.rss) / share[r]! / 1024, 1),
  heapUsed: round((connected[r]!.heapUsed - baseline[r]!.heapUsed) / share[r]! / 1024, 1),
  // V8's heap as reserved (used + free pages it keeps) and memory outside it (buffers)
  heapTotal: round((connected[r]!.heapTotal! - baseline[r]!.heapTotal!) / share[r]! / 1024, 1),
  external: round((connected[r]!.external! - baseline[r]!.external!) / share[r]! / 1024, 1),
}))
const result: Record<string, unknown> = {
  benchmark: '@wisp/relay: gossip across federated relays',
  relays: RELAYS,
  peers: PEERS,
  peerProcesses: PEER_PROCESSES,
  relayTarget: RELAY_TARGET,
  transport: 'WebSocket on 127.0.0.1, Noise, Yamux, gossipsub; relays linked as direct peers',
  peerKind: 'light (edge) peers given every relay, holding relayTarget of them (light-relays.ts)',
  message: `custom message (~30 bytes), one every ${PUBLISH_INTERVAL_MS} ms from a random peer`,
  messages: MESSAGES,
  relayDiscoverySeconds: round(discoverySeconds),
  peersJoinSeconds: round(joinSeconds),
  deliveries: { received: sameRelay.length + otherRelay.length, expected },
  latencyMs: {
    all: summary([...sameRelay, ...otherRelay]),
    sameRelay: summary(sameRelay),
    otherRelay: summary(otherRelay),
    // per message and peer process: when its first peer got it (the path through the relays) …
    firstPeerOfEachProcess: summary(firstInProcess),
    // … and how long the process then took to hand it to its last peer
    firstToLastPeerInProcess: summary(spreadInProcess),
  },
  cpuCoresUsed: { idle: idleCpu, publishing: publishCpu },
  relayMemoryPerPeerKiB: perPeerKiB,
  peerProcessMemory: peerMemory.map((m, i) => ({
    rssMiB: round(m.rss / 2 ** 20, 1),
    perPeerKiB: round(m.rss / (PEERS / PEER_PROCESSES) / 1024, 1),
    process: i,
  })),
}

// Phase 2: one relay SIGKILLed while messages flow.
if (KILL) {
  const victim = relays[RELAYS - 1]!
  const killAfter = Math.floor(KILL_MESSAGES / 4)
  const orphans = (
    await Promise.all(
      peerProcesses.map((p) =>
        p.ask<number>('watch', { relay: victim.peerId, timeoutMs: FAILOVER_TIMEOUT_MS }),
      ),
    )
  ).reduce((a, b) => a + b, 0)
  log(
    `kill phase: ${KILL_MESSAGES} messages, SIGKILL of relay ${RELAYS - 1} (${orphans} peers) after ${killAfter}`,
  )
  type Orphan = {
    streams: string[]
    peerId: string
    connectedAt?: number
    subscribedAt?: number
    meshedAt?: number
    scores: number[]
  }
  const base = 1_000_000
  const killSent: Sent[] = []
  let killedAt = 0
  let failover: Promise<Orphan[][]> | undefined
  const killCpuFrom = await cpuNow()
  const killStart = now()
  for (let m = 0; m < KILL_MESSAGES; m++) {
    if (m === killAfter) {
      killedAt = now()
      victim.child.kill('SIGKILL')
      live.delete(victim.child)
      failover = Promise.all(peerProcesses.map((p) => p.ask<Orphan[]>('failover')))
    }
    killSent.push(await publishOne(base + m, peerIds))
    await sleep(PUBLISH_INTERVAL_MS)
  }
  const killCpu = (
    await Promise.all([...relays.slice(0, -1), ...peerProcesses].map((c) => c.ask<Cpu>('cpu')))
  ).map((to, i) => {
    const from = killCpuFrom[i < RELAYS - 1 ? i : i + 1]!
    return round((to.user + to.system - from.user - from.system) / 1e6 / ((now() - killStart) / 1000))
  })
  const moved = new Map((await failover!).flat().map((o) => [o.peerId, o]))
  const since = (at: number | undefined) => (at === undefined ? [] : [at - killedAt])
  const connectedMs = [...moved.values()].flatMap((o) => since(o.connectedAt))
  const subscribedMs = [...moved.values()].flatMap((o) => since(o.subscribedAt))
  const meshedMs = [...moved.values()].flatMap((o) => since(o.meshedAt))
  const unmeshed = [...moved.values()].filter((o) => o.meshedAt === undefined)
  const unmeshedScores = unmeshed.flatMap((o) => o.scores)
  const unmeshedStreams: Record<string, number> = {}
  for (const st of unmeshed.flatMap((o) => o.streams)) unmeshedStreams[st] = (unmeshedStreams[st] ?? 0) + 1
  await sleep(5000) // late deliveries (gossip's IHAVE/IWANT after a new graft)
  received = await allReceived()
  // A (message, receiver) pair is "during failover" when the author or the receiver is a peer of
  // the killed relay and the message went out between the kill and that peer being meshed on
  // another relay (never meshed: every message after the kill); every other pair must arrive.
  const tally = () => ({ pairs: 0, received: 0, lost: 0 })
  const phases = { beforeKill: tally(), duringFailover: tally(), afterFailover: tally() }
  const lostAfter = new Map<string, number>()
  const inFailover = (peer: string, sentAt: number) => {
    const o = moved.get(peer)
    return o !== undefined && sentAt >= killedAt && sentAt < (o.meshedAt ?? Number.POSITIVE_INFINITY)
  }
  let publishedToNobody = 0
  const publishFailures: Record<string, number> = {}
  for (const s of killSent) {
    if (!s.ok) {
      publishFailures[s.error ?? 'unknown'] = (publishFailures[s.error ?? 'unknown'] ?? 0) + 1
      continue
    }
    if (s.recipients === 0) publishedToNobody++
    for (const [id, got] of received) {
      if (id === s.author) continue
      const phase =
        s.sentAt < killedAt
          ? phases.beforeKill
          : inFailover(s.author, s.sentAt) || inFailover(id, s.sentAt)
            ? phases.duringFailover
            : phases.afterFailover
      phase.pairs++
      if (got.has(s.m)) phase.received++
      else {
        phase.lost++
        if (phase === phases.afterFailover) lostAfter.set(id, (lostAfter.get(id) ?? 0) + 1)
      }
    }
  }
  const lostByOrphans = [...lostAfter].filter(([id]) => moved.has(id)).reduce((n, [, c]) => n + c, 0)
  result.kill = {
    killed: `relay ${RELAYS - 1} (SIGKILL) after ${killAfter} of ${KILL_MESSAGES} messages, one every ${PUBLISH_INTERVAL_MS} ms`,
    messages: "custom messages from a random peer (any peer, the killed relay's too)",
    orphanedPeers: orphans,
    onAnotherRelayMs: summary(connectedMs),
    relaySubscriptionSeenMs: summary(subscribedMs),
    meshedOnAnotherRelayMs: summary(meshedMs),
    unmeshedRelayScores: summary(unmeshedScores),
    unmeshedStreams,
    neverMoved: orphans - connectedMs.length,
    messagesSent: killSent.filter((s) => s.ok).length,
    publishedToNobody,
    publishFailures,
    deliveries: phases,
    lostAfterFailover: {
      receivers: lostAfter.size,
      byPeersOfKilledRelay: lostByOrphans,
      byOtherPeers: phases.afterFailover.lost - lostByOrphans,
    },
    cpuCoresUsed: { survivingRelays: killCpu.slice(0, RELAYS - 1), peerProcesses: killCpu.slice(RELAYS - 1) },
  }
}

result.machine = {
  node: process.version,
  cpus: availableParallelism(),
  memoryGiB: round(totalmem() / 2 ** 30, 1),
}
result.note = `peers run in ${PEER_PROCESSES} processes and relays in ${RELAYS}, all on these ${availableParallelism()} cores: latency includes their scheduling`
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)

await Promise.all(peerProcesses.map((p) => p.ask('stop')))
await Promise.all(relays.filter((r) => live.has(r.child)).map((r) => r.ask('stop')))
killAll()
process.exit(0)
