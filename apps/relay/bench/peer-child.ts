/// <reference types="node" />
// A share of the federation benchmark's peers, in their own process so that a thousand libp2p
// peers do not share one event loop (that loop, not the relays, would set the latency).
// argv: namespace, peer count, relay target, then every relay's address. Each peer is a light
// peer (the edge factory, what workers and pages run): it holds `relay target` of the relays,
// chosen by rendezvous hashing, and moves to another one when it loses one (light-relays.ts).
// Driven over IPC by federation.ts.
import '@wisp/p2p/node' // Node 20 polyfills (global WebSocket, Promise.withResolvers) first
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { createEdgePeer, type LightNetwork, type WispNetwork } from '@wisp/p2p/edge'

const [namespace = 'wisp-bench', count = '0', relayTarget = '1', ...relays] = process.argv.slice(2)

const now = () => performance.timeOrigin + performance.now()
type Peer = WispNetwork & LightNetwork

/** Received messages per peer: message number → delay in ms. */
const received = new Map<string, Map<number, number>>()
const peers: Peer[] = []
for (let i = 0; i < Number(count); i += 20) {
  const batch = await Promise.all(
    Array.from({ length: Math.min(20, Number(count) - i) }, () =>
      createEdgePeer({
        topicNamespace: namespace,
        bootstrap: relays,
        relayTarget: Number(relayTarget),
        customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
      }),
    ),
  )
  for (const peer of batch) {
    const mine = new Map<number, number>()
    received.set(peer.peerId, mine)
    peer.onMessage('customMessage', (r) => {
      const [m, sentAt] = Buffer.from(r.message.data.slice(2), 'hex').toString('utf8').split(':')
      if (!mine.has(Number(m))) mine.set(Number(m), now() - Number(sentAt))
    })
  }
  peers.push(...batch)
  // joins paced like the old in-process bench (a batch dialled, then the next): 1 000 handshakes
  // at once on 2 shared cores outlast the 10 s dial timeout and every retry collides again
  const deadline = Date.now() + 30_000
  while (batch.some((p) => p.relays().connected.length === 0) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50))
}
const byId = new Map(peers.map((p) => [p.peerId, p]))

/**
 * Polls the peers holding `lost` now until each holds another relay and has it in its mesh;
 * resolves with when each did (ms since the epoch). Armed before the kill, so that the times are
 * not the IPC's.
 */
function watchOrphans(lost: string, timeoutMs: number) {
  const orphans = peers.filter((p) => p.relays().connected.includes(lost))
  const connectedAt = new Map<string, number>()
  const subscribedAt = new Map<string, number>()
  const meshedAt = new Map<string, number>()
  const result = (async () => {
    const deadline = Date.now() + timeoutMs
    while (meshedAt.size < orphans.length && Date.now() < deadline) {
      for (const p of orphans) {
        if (meshedAt.has(p.peerId)) continue
        const elsewhere = p.relays().connected.filter((r) => r !== lost)
        if (elsewhere.length === 0) continue
        if (!connectedAt.has(p.peerId)) connectedAt.set(p.peerId, now())
        const subscribed = p.topicPeers('customMessage')
        if (!subscribedAt.has(p.peerId) && elsewhere.some((r) => subscribed.includes(r)))
          subscribedAt.set(p.peerId, now())
        const mesh = p.meshPeers('customMessage')
        if (elsewhere.some((r) => mesh.includes(r))) meshedAt.set(p.peerId, now())
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    return orphans.map((p) => ({
      peerId: p.peerId,
      connectedAt: connectedAt.get(p.peerId),
      subscribedAt: subscribedAt.get(p.peerId),
      // why a peer is not meshed yet: how it scores its new relay, which streams it has with it
      scores: p
        .relays()
        .connected.filter((r) => r !== lost)
        .map((r) => p.score(r)),
      streams: p.libp2p
        .getConnections()
        .filter((c) => c.remotePeer.toString() !== lost)
        .flatMap((c) => c.streams.map((st) => `${st.direction}:${st.protocol}`)),
      meshedAt: meshedAt.get(p.peerId),
    }))
  })()
  return { orphans: orphans.length, result }
}

type Request =
  | { id: number; op: 'state' }
  | { id: number; op: 'publish'; peer: string; m: number }
  | { id: number; op: 'watch'; relay: string; timeoutMs: number }
  | { id: number; op: 'failover' }
  | { id: number; op: 'received' }
  | { id: number; op: 'memory' }
  | { id: number; op: 'cpu' }
  | { id: number; op: 'stop' }

let watching: ReturnType<typeof watchOrphans> | undefined

// the bench gone (killed, crashed): do not linger
process.on('disconnect', () => process.exit(0))
process.on('message', async (req: Request) => {
  const send = (value: unknown) => process.send?.({ id: req.id, value })
  if (req.op === 'state') {
    send(
      peers.map((p) => {
        const relays = p.relays().connected
        const meshed = p.meshPeers('customMessage').length > 0
        if (meshed) return { peerId: p.peerId, relays, meshed }
        // why not: does it know its relays subscribe, how does it score them, which streams are open
        const subscribers = p.topicPeers('customMessage')
        return {
          peerId: p.peerId,
          relays,
          meshed,
          why: relays.map((r) => ({
            subscribed: subscribers.includes(r),
            score: p.score(r),
            streams: p.libp2p
              .getConnections()
              .filter((c) => c.remotePeer.toString() === r)
              .flatMap((c) => c.streams.map((st) => `${st.direction}:${st.protocol}`)),
          })),
        }
      }),
    )
  } else if (req.op === 'publish') {
    const sentAt = now()
    const payload = Buffer.from(`${req.m}:${sentAt.toFixed(3)}`).toString('hex')
    try {
      const { recipients } = await byId.get(req.peer)!.publish('customMessage', { data: `0x${payload}` })
      send({ ok: true, sentAt, recipients })
    } catch (err) {
      send({ ok: false, sentAt, error: String((err as { code?: string }).code ?? err) })
    }
  } else if (req.op === 'watch') {
    watching = watchOrphans(req.relay, req.timeoutMs)
    send(watching.orphans)
  } else if (req.op === 'failover') {
    send((await watching?.result) ?? [])
  } else if (req.op === 'received') {
    send(Object.fromEntries([...received].map(([id, m]) => [id, [...m]])))
  } else if (req.op === 'memory') {
    const m = process.memoryUsage()
    send({ rss: m.rss, heapUsed: m.heapUsed })
  } else if (req.op === 'cpu') {
    send(process.cpuUsage())
  } else if (req.op === 'stop') {
    if (profiler !== undefined) {
      const { profile } = await profiler.post('Profiler.stop')
      writeFileSync(join(PROFILE_DIR!, `peers-${process.pid}.cpuprofile`), JSON.stringify(profile))
    }
    await Promise.all(peers.map((p) => p.stop()))
    send(true)
  }
})
// WISP_BENCH_RELAY_PROFILE=<dir>: a V8 CPU profile of this process from now until 'stop'
const PROFILE_DIR = process.env.WISP_BENCH_RELAY_PROFILE
let profiler: Session | undefined
if (PROFILE_DIR) {
  profiler = new Session()
  profiler.connect()
  await profiler.post('Profiler.enable')
  await profiler.post('Profiler.start')
}
process.send?.({ ready: true })
