// Two ways a connection stays open while gossip over it has stopped, both seen only on a loaded
// machine (a thousand nodes on two cores), and one sweep that repairs both:
// - identify failed. libp2p identifies a peer once, within 5 s, when the connection opens, and
//   gives up silently. Until identify succeeds on one side, neither knows the other speaks
//   gossipsub and no gossip stream is ever opened. Repair: identify again, backing off from 6 s to
//   once a minute, while the connection lasts and the peer is not known to speak gossipsub.
// - gossipsub forgot the peer. When reading a peer's stream fails (a reset, an abort) gossipsub
//   removes the peer altogether, streams and all (handlePeerReadStreamError). libp2p's registrar
//   hands a peer to gossipsub once, after identify, and not again until its last connection has
//   closed. When both sides forget each other nothing brings gossip back. Repair: hand the
//   connection to gossipsub again, as the registrar would on a new connection, every 10 s.
// A connection gossipsub knows is left alone: gossip works on it, identified or not.
import type { Connection, Libp2p, Peer, PeerId } from '@libp2p/interface'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import type { Logger } from './logger.js'
import type { ConnectionRepairKind, P2PMetrics } from './metrics.js'

/** How often the open connections are looked over. */
export const REPAIR_SWEEP_MS = 2_000
/** libp2p's identify deadline is 5 s: the first retry comes once it has surely ended. */
export const IDENTIFY_CHECK_MS = 6_000
/** then 12, 24 and 48 s later, and once a minute from there on: a loaded node may fail many times */
const IDENTIFY_MAX_INTERVAL_MS = 60_000
/** A connection gossipsub does not know is handed back to it at most this often. */
export const GOSSIP_CHECK_MS = 10_000

/** What was done about one peer while it stayed connected (forgotten when it disconnects). */
export interface RepairCounts {
  /** identify run again on one of its connections */
  identify: number
  /** a connection handed back to gossipsub */
  gossip_hand_back: number
  /** gossipsub dropped the peer because reading its stream failed */
  gossip_read_error: number
}

export interface ConnectionRepair {
  counts(peerId: string): RepairCounts
  stop(): void
}

/** The parts of js-gossipsub this needs (public at runtime, not all in its published type). */
interface GossipsubPeers {
  readonly protocols: string[]
  readonly runOnLimitedConnection?: boolean
  getPeers(): PeerId[]
  isStarted(): boolean
  /** the registrar topology's onConnect */
  onPeerConnected(peerId: PeerId, connection: Connection): void
  /** gossipsub's documented seam for watching read errors; it then removes the peer */
  handlePeerReadStreamError?(err: unknown, peerId: PeerId): void
}

interface IdentifyService {
  identify(connection: Connection): Promise<unknown>
}

interface ConnectionState {
  /** no repair before this time (ms since the epoch) */
  due: number
  identifyAttempts: number
  identifying: boolean
}

/** identify has run on this peer: it stores what the peer calls itself */
const identified = (peer: Peer | undefined) => peer?.metadata.has('AgentVersion') === true

const noCounts = (): RepairCounts => ({ identify: 0, gossip_hand_back: 0, gossip_read_error: 0 })

/** Starts the sweep over `libp2p`'s connections; `stop()` ends it. */
export function startConnectionRepair(
  libp2p: Libp2p,
  components: { logger: Logger; metrics: Pick<P2PMetrics, 'connectionRepair'> },
): ConnectionRepair {
  const { logger, metrics } = components
  const services = libp2p.services as { pubsub?: GossipsubPeers; identify?: IdentifyService }
  const pubsub = services.pubsub
  const identify = services.identify
  const states = new WeakMap<Connection, ConnectionState>()
  const counts = new Map<string, RepairCounts>()
  let timer: TimerHandle | undefined
  let stopped = false

  const count = (peer: string, kind: ConnectionRepairKind) => {
    const of = counts.get(peer) ?? noCounts()
    counts.set(peer, of)
    of[kind]++
    metrics.connectionRepair(kind)
  }
  const onDisconnect = (evt: { detail: PeerId }) => counts.delete(evt.detail.toString())
  libp2p.addEventListener('peer:disconnect', onDisconnect)

  const originalReadError = pubsub?.handlePeerReadStreamError
  if (pubsub !== undefined && originalReadError !== undefined) {
    pubsub.handlePeerReadStreamError = (err, peerId) => {
      count(peerId.toString(), 'gossip_read_error')
      originalReadError.call(pubsub, err, peerId)
    }
  }

  const stateOf = (connection: Connection) => {
    let state = states.get(connection)
    if (state === undefined) {
      state = { due: connection.timeline.open + IDENTIFY_CHECK_MS, identifyAttempts: 0, identifying: false }
      states.set(connection, state)
    }
    return state
  }
  const identifyAgain = (connection: Connection, state: ConnectionState, peer: string) => {
    if (identify === undefined) {
      // nothing to run it with: look at this connection again only as seldom as a retry would
      state.due = Date.now() + IDENTIFY_MAX_INTERVAL_MS
      return
    }
    state.identifying = true
    state.identifyAttempts++
    count(peer, 'identify')
    logger.debug('identifying a peer again: identify has not completed on its connection', {
      peer,
      attempt: state.identifyAttempts,
    })
    void identify
      .identify(connection)
      .catch(() => undefined)
      .finally(() => {
        state.identifying = false
        state.due =
          Date.now() + Math.min(IDENTIFY_MAX_INTERVAL_MS, IDENTIFY_CHECK_MS * 2 ** state.identifyAttempts)
      })
  }
  const sweep = async () => {
    const known = new Set(pubsub?.isStarted() === true ? pubsub.getPeers().map((p) => p.toString()) : [])
    for (const connection of libp2p.getConnections()) {
      const peer = connection.remotePeer.toString()
      if (known.has(peer) || connection.status !== 'open') continue
      const state = stateOf(connection)
      if (state.identifying || Date.now() < state.due) continue
      const stored = await libp2p.peerStore.get(connection.remotePeer).catch(() => undefined)
      if (stopped) return
      const speaksGossip =
        pubsub !== undefined && stored?.protocols.some((p) => pubsub.protocols.includes(p)) === true
      // Not `protocols.length > 0`: libp2p also records each protocol a stream was opened with
      // (our auth challenge, a ping), identified or not. That is how, at 1 000 nodes, a handful of
      // connections looked identified and were never repaired.
      if (!speaksGossip && !identified(stored)) {
        identifyAgain(connection, state, peer)
        continue
      }
      state.due = Date.now() + GOSSIP_CHECK_MS
      if (!speaksGossip || pubsub?.isStarted() !== true) continue
      if (connection.limits != null && pubsub.runOnLimitedConnection !== true) continue
      known.add(peer)
      count(peer, 'gossip_hand_back')
      logger.debug('gossipsub had forgotten a connected peer: handing the connection back', { peer })
      pubsub.onPeerConnected(connection.remotePeer, connection)
    }
  }
  const schedule = () => {
    timer = setTimer(() => {
      void sweep()
        .catch((err: unknown) => logger.debug('connection repair sweep failed', { error: String(err) }))
        .finally(() => {
          if (!stopped) schedule()
        })
    }, REPAIR_SWEEP_MS)
  }
  schedule()

  return {
    counts: (peerId) => ({ ...(counts.get(peerId) ?? noCounts()) }),
    stop() {
      stopped = true
      if (timer !== undefined) clearTimer(timer)
      libp2p.removeEventListener('peer:disconnect', onDisconnect)
      if (pubsub !== undefined && originalReadError !== undefined)
        pubsub.handlePeerReadStreamError = originalReadError
    },
  }
}
