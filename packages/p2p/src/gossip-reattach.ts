// gossipsub can forget a peer whose connection stays open: when reading the peer's stream fails
// (a reset, a decode error) it removes the peer altogether, streams and all
// (handlePeerReadStreamError → onPeerDisconnected). libp2p's registrar tells gossipsub about a
// peer once, after identify, and not again until the peer's last connection closes. So when both
// sides forget each other, nothing ever brings gossip back on that connection: both stay
// connected, deaf and mute to each other. On a loaded machine (a thousand nodes on two cores) a
// dozen connections to the relay ended like that, each side's gossipsub not knowing the other.
// So: every so often, an open connection to a peer that speaks gossipsub but that gossipsub does
// not know is handed to gossipsub again, as the registrar would on a new connection.
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { IDENTIFY_CHECK_MS } from './identify-retry.js'
import type { Logger } from './logger.js'

/** How often the open connections are compared with gossipsub's peers. */
export const GOSSIP_CHECK_MS = 10_000

/** The parts of js-gossipsub this needs (public at runtime, not all in its published type). */
interface GossipsubPeers {
  readonly protocols: string[]
  readonly runOnLimitedConnection?: boolean
  getPeers(): PeerId[]
  isStarted(): boolean
  /** the registrar topology's onConnect */
  onPeerConnected(peerId: PeerId, connection: Connection): void
}

/** Starts the periodic check; returns the function that stops it. */
export function reattachGossip(libp2p: Libp2p, logger: Logger): () => void {
  const pubsub = (libp2p.services as { pubsub?: GossipsubPeers }).pubsub
  if (pubsub === undefined || typeof pubsub.onPeerConnected !== 'function') return () => undefined
  let timer: TimerHandle | undefined
  let stopped = false

  const speaksGossip = async (peer: PeerId) => {
    const stored = await libp2p.peerStore.get(peer).catch(() => undefined)
    return stored?.protocols.some((p) => pubsub.protocols.includes(p)) === true
  }
  const check = async () => {
    if (!pubsub.isStarted()) return
    const known = new Set(pubsub.getPeers().map((p) => p.toString()))
    for (const connection of libp2p.getConnections()) {
      const id = connection.remotePeer.toString()
      if (known.has(id) || connection.status !== 'open') continue
      if (connection.limits != null && pubsub.runOnLimitedConnection !== true) continue
      // a young connection may still be identifying: the registrar hands it over then
      if (Date.now() - connection.timeline.open < IDENTIFY_CHECK_MS) continue
      if (!(await speaksGossip(connection.remotePeer)) || stopped) continue
      known.add(id)
      logger.debug('gossipsub had forgotten a connected peer: handing the connection back', { peer: id })
      pubsub.onPeerConnected(connection.remotePeer, connection)
    }
  }
  const schedule = () => {
    timer = setTimer(() => {
      void check()
        .catch((err: unknown) => logger.debug('gossip peer check failed', { error: String(err) }))
        .finally(() => {
          if (!stopped) schedule()
        })
    }, GOSSIP_CHECK_MS)
  }
  schedule()
  return () => {
    stopped = true
    if (timer !== undefined) clearTimer(timer)
  }
}
