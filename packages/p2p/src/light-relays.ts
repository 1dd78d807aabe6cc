// How a light peer (page, worker, edge) holds on to the network: it knows several relays (its
// configured list, the ones it remembered from earlier runs, the ones it met since), keeps direct
// connections to `relayTarget` of them (the one it needs plus a spare), and when one goes, dials
// the next within a second. Peers spread over the relays: each orders the relays it has no
// history with by a hash of (its peer id, the relay's id) — rendezvous hashing, so two peers with
// the same list mostly pick different relays, and a relay's loss moves only its own peers.

import type { Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { sha256 } from '@noble/hashes/sha2.js'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { timeoutSignal } from './abort.js'
import { peerIdOf } from './address.js'
import { describeDialError } from './bootstrap.js'
import type { Logger } from './logger.js'
import {
  MAX_REMEMBERED_PEERS,
  MAX_REMEMBERED_RELAYS,
  type PeerStoreBackend,
  type PersistedPeers,
  parsePersistedPeers,
} from './peer-store.js'

/** One relay needed plus one spare. */
export const DEFAULT_RELAY_TARGET = 2

/** The circuit relay v2 server protocol: a peer that speaks it can be our relay. */
const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'
/** Tag on held relays so the connection manager prunes them last (not `keep-alive-…`: we redial ourselves). */
const RELAY_TAG = 'wisp-light-relay'
const TICK_MS = 1000
const FIRST_RETRY_MS = 1000
const MAX_RETRY_MS = 30_000
const FAST_ATTEMPTS = 5
const DIAL_TIMEOUT_MS = 10_000
/** Write the store at most this often (every change is kept; a burst of them is one write). */
const SAVE_EVERY_MS = 1000

export interface LightRelayStatus {
  /** relays to hold direct connections to (needed + spare) */
  target: number
  /** relays connected now (peer ids), in preference order */
  connected: string[]
  /** relays known (configured, remembered, met) */
  known: number
  /** times a lost relay was replaced by another one */
  switches: number
}

export interface LightRelays {
  status(): LightRelayStatus
  stop(): Promise<void>
}

export interface LightRelayPolicy {
  /** relays to hold (≥ 1); one more than needed, so losing one leaves a connection */
  relayTarget: number
  /** the configured relays (multiaddrs ending in /p2p/<id>) */
  configured: string[]
  /** what the store held at start (already loaded: the factory needs its addresses earlier) */
  remembered: PersistedPeers
  backend?: PeerStoreBackend
  now?: () => number
  /** set by keepBootstrapPeers once it started the keeper */
  keeper?: LightRelays
}

const policies = new WeakMap<Libp2p, LightRelayPolicy>()

/**
 * Marks `libp2p` as a light peer: network.ts's call to keepBootstrapPeers then runs the light
 * keeper below with this policy instead of dialling every bootstrap address. Call before startNetwork.
 */
export function setLightRelayPolicy(libp2p: Libp2p, policy: LightRelayPolicy): void {
  policies.set(libp2p, policy)
}

export function lightRelayPolicyOf(libp2p: Libp2p): LightRelayPolicy | undefined {
  return policies.get(libp2p)
}

/** The relay addresses a light peer starts from: remembered good ones first (most recent first), then the rest. */
export function startingRelays(configured: readonly string[], remembered: PersistedPeers): string[] {
  const good = [...remembered.relays]
    .filter((r) => r.lastGoodAt > 0)
    .sort((a, b) => b.lastGoodAt - a.lastGoodAt)
  const seen = new Set<string>()
  const out: string[] = []
  for (const a of [
    ...good.map((r) => r.address),
    ...configured,
    ...remembered.relays.map((r) => r.address),
  ]) {
    const id = peerIdOf(a)
    if (id === undefined || seen.has(id)) continue
    seen.add(id)
    out.push(a)
  }
  return out
}

/** Rendezvous-hash rank of a relay for a peer: lower is preferred. */
export function relayRank(selfId: string, relayId: string): string {
  const digest = sha256(new TextEncoder().encode(`${selfId}/${relayId}`))
  return Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('')
}

interface Target {
  address: string
  peerId: string
  /** ms since the epoch of the last good connection (from the store, then ours) */
  lastGoodAt: number
  lastFailedAt: number
  delay: number
  at: number
  failures: number
  error: string | undefined
  dialling: boolean
}

/** Runs the keeper (called by keepBootstrapPeers for a node with a light relay policy). */
export function startLightRelays(
  libp2p: Libp2p,
  policy: LightRelayPolicy,
  logger: Logger,
  skip: (peerId: string) => boolean,
): LightRelays {
  const now = policy.now ?? Date.now
  const self = libp2p.peerId.toString()
  const target = Math.max(1, Math.floor(policy.relayTarget))
  const targets = new Map<string, Target>()
  const add = (address: string, lastGoodAt = 0, lastFailedAt = 0) => {
    const peerId = peerIdOf(address)
    if (peerId === undefined || peerId === self) return
    const existing = targets.get(peerId)
    if (existing !== undefined) {
      existing.lastGoodAt = Math.max(existing.lastGoodAt, lastGoodAt)
      return
    }
    if (targets.size >= MAX_REMEMBERED_RELAYS) return
    targets.set(peerId, {
      address,
      peerId,
      lastGoodAt,
      lastFailedAt,
      delay: FIRST_RETRY_MS,
      at: 0,
      failures: 0,
      error: undefined,
      dialling: false,
    })
  }
  for (const r of policy.remembered.relays) add(r.address, r.lastGoodAt, r.lastFailedAt)
  for (const a of policy.configured) add(a)
  const peersSeen = new Map(policy.remembered.peers.map((p) => [p.peerId, p.lastSeenAt]))

  /** Preference: relays that worked before (most recent first), then the rest by rendezvous hash. */
  const ordered = () =>
    [...targets.values()].sort((a, b) => {
      if (a.lastGoodAt > 0 || b.lastGoodAt > 0) return b.lastGoodAt - a.lastGoodAt
      return relayRank(self, a.peerId) < relayRank(self, b.peerId) ? -1 : 1
    })
  const directlyConnected = () =>
    new Set(
      libp2p
        .getConnections()
        .filter((c) => c.limits === undefined)
        .map((c) => c.remotePeer.toString()),
    )

  let switches = 0
  /** relays lost and not replaced yet, by id */
  const lost = new Set<string>()
  let stopped = false
  let timer: TimerHandle | undefined
  let reachable: boolean | undefined
  let dirty = false
  let saveTimer: TimerHandle | undefined
  let saving: Promise<void> = Promise.resolve()

  const snapshot = (): PersistedPeers => ({
    v: 1,
    relays: ordered()
      .slice(0, MAX_REMEMBERED_RELAYS)
      .map((t) => ({ address: t.address, lastGoodAt: t.lastGoodAt, lastFailedAt: t.lastFailedAt })),
    peers: [...peersSeen.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_REMEMBERED_PEERS)
      .map(([peerId, lastSeenAt]) => ({ peerId, lastSeenAt })),
  })
  const flush = () => {
    if (policy.backend === undefined || !dirty) return saving
    dirty = false
    const backend = policy.backend
    const data = parsePersistedPeers(snapshot())
    saving = saving
      .then(() => backend.save(data))
      .catch((err: unknown) => logger.warn('could not save the peer store', { error: String(err) }))
    return saving
  }
  const changed = () => {
    dirty = true
    if (saveTimer !== undefined || stopped) return
    saveTimer = setTimer(() => {
      saveTimer = undefined
      void flush()
    }, SAVE_EVERY_MS)
  }

  const connectedUp = (t: Target) => {
    t.delay = FIRST_RETRY_MS
    t.at = 0
    t.failures = 0
    t.error = undefined
    t.lastGoodAt = now()
    changed()
    const remote = libp2p.getConnections().find((c) => c.remotePeer.toString() === t.peerId)?.remotePeer
    if (remote !== undefined)
      void libp2p.peerStore.merge(remote, { tags: { [RELAY_TAG]: { value: 100 } } }).catch(() => undefined)
    if (lost.has(t.peerId)) {
      lost.delete(t.peerId)
    } else if (lost.size > 0) {
      const replaced = lost.values().next().value as string
      lost.delete(replaced)
      switches++
      logger.info('moved to another relay', { lost: replaced, relay: t.address, switches })
    }
  }
  const report = (up: number) => {
    if (up > 0) {
      if (reachable === false) logger.info('bootstrap peer reachable again', {})
      reachable = true
      return
    }
    const all = [...targets.values()]
    if (reachable === false || all.some((t) => t.error === undefined)) return
    reachable = false
    logger.warn('no bootstrap peer is reachable: this node has no path to the network', {
      tried: all.map((t) => `${t.address} (${t.error})`).join('; '),
    })
  }

  const tick = async () => {
    const connected = directlyConnected()
    const list = ordered()
    const up = list.filter((t) => connected.has(t.peerId))
    const need = target - up.length - list.filter((t) => t.dialling).length
    const t0 = now()
    const picks = list
      .filter((t) => !connected.has(t.peerId) && !t.dialling && t0 >= t.at && !skip(t.peerId))
      .slice(0, Math.max(0, need))
    await Promise.all(
      picks.map(async (t) => {
        t.dialling = true
        const { signal, clear } = timeoutSignal(DIAL_TIMEOUT_MS)
        try {
          await libp2p.dial(multiaddr(t.address), { signal })
          logger.info('connected to relay', { address: t.address })
          connectedUp(t)
        } catch (err) {
          t.error = describeDialError(err, signal)
          t.failures++
          t.lastFailedAt = now()
          t.at = now() + t.delay
          if (t.failures >= FAST_ATTEMPTS) t.delay = Math.min(t.delay * 2, MAX_RETRY_MS)
          changed()
        } finally {
          clear()
          t.dialling = false
        }
      }),
    )
    if (!stopped) report(list.filter((t) => directlyConnected().has(t.peerId)).length)
  }
  let running: Promise<void> | undefined
  const runTick = () => {
    if (stopped || running !== undefined) return
    running = tick().finally(() => {
      running = undefined
    })
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimer(() => {
      runTick()
      schedule()
    }, TICK_MS)
  }

  const onDisconnect = (evt: { detail: PeerId }) => {
    const id = evt.detail.toString()
    const t = targets.get(id)
    if (t === undefined || stopped) return
    lost.add(id)
    // a relay that just dropped us is likely down: the others first (it was the most recent good one)
    t.at = now() + t.delay
    logger.info('relay connection lost', { address: t.address })
    // the next relay now, not at the next tick
    queueMicrotask(runTick)
  }
  const onIdentify = (evt: {
    detail: { peerId: PeerId; protocols: string[]; listenAddrs: Array<{ toString(): string }> }
  }) => {
    const { peerId, protocols, listenAddrs } = evt.detail
    const id = peerId.toString()
    if (!protocols.includes(HOP_PROTOCOL)) {
      if (!peersSeen.has(id) || now() - (peersSeen.get(id) ?? 0) > 60_000) {
        peersSeen.set(id, now())
        changed()
      }
      return
    }
    // a relay met on the way (another relay's peer, an operator serving as bootstrap node):
    // remember where it listens for WebSockets, the only transport every light peer has
    if (targets.has(id)) return
    const ws = listenAddrs
      .map((a) => a.toString())
      .find((a) => /\/wss?(\/|$)/.test(a) && !a.includes('/p2p-circuit'))
    if (ws === undefined) return
    add(ws.includes('/p2p/') ? ws : `${ws}/p2p/${id}`)
    changed()
  }
  const onConnect = (evt: { detail: PeerId }) => {
    const t = targets.get(evt.detail.toString())
    // a relay that came back or that someone else dialled (libp2p's own keep-alive): count it
    if (t !== undefined && !t.dialling && directlyConnected().has(t.peerId)) connectedUp(t)
  }
  libp2p.addEventListener('peer:disconnect', onDisconnect)
  libp2p.addEventListener('peer:identify', onIdentify as never)
  libp2p.addEventListener('peer:connect', onConnect)
  runTick()
  schedule()
  return {
    status: () => {
      const connected = directlyConnected()
      return {
        target,
        connected: ordered()
          .filter((t) => connected.has(t.peerId))
          .map((t) => t.peerId),
        known: targets.size,
        switches,
      }
    },
    async stop() {
      stopped = true
      clearTimer(timer)
      clearTimer(saveTimer)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      libp2p.removeEventListener('peer:identify', onIdentify as never)
      libp2p.removeEventListener('peer:connect', onConnect)
      await flush()
    },
  }
}

/** What the light factories (browser, edge) take beyond the network options. */
export interface LightPeerOptions {
  /** relays to hold direct connections to: the one needed plus spares (default 2) */
  relayTarget: number
}

export interface LightPeerComponents {
  /** where relays and peers seen persist between runs (IndexedDB, Durable Object storage) */
  peerStore?: PeerStoreBackend
}

/** A light peer's network: a WispNetwork that also says how it holds its relays. */
export interface LightNetwork {
  relays(): LightRelayStatus
}

/** Loads the store; a store that cannot be read is a warning and a fresh start, not a failure to start. */
export async function loadRemembered(
  backend: PeerStoreBackend | undefined,
  logger: Logger,
): Promise<PersistedPeers> {
  if (backend === undefined) return { v: 1, relays: [], peers: [] }
  try {
    return parsePersistedPeers(await backend.load())
  } catch (err) {
    logger.warn('could not read the peer store: starting from the configured relays', { error: String(err) })
    return { v: 1, relays: [], peers: [] }
  }
}

/** Adds `relays()` and a stop that first saves the store. */
export function asLightNetwork<N extends { stop(): Promise<void> }>(
  network: N,
  policy: LightRelayPolicy,
  target: number,
): N & LightNetwork {
  const stop = network.stop.bind(network)
  return Object.assign(network, {
    relays: (): LightRelayStatus =>
      policy.keeper?.status() ?? { target, connected: [], known: 0, switches: 0 },
    async stop() {
      await policy.keeper?.stop()
      await stop()
    },
  })
}
