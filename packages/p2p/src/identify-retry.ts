// libp2p identifies a peer once, when the connection opens, within 5 s, and gives up silently.
// Until identify succeeds on at least one side, neither side knows the other speaks gossipsub, so
// no gossip stream is ever opened on that connection: the peers stay connected, and deaf and mute
// to each other, for as long as it lasts. On a loaded machine (a thousand nodes on two cores) that
// is what a handful of them came to. So: a connection whose peer's protocols are still unknown a
// while after it opened is identified again, backing off to once a minute, while it lasts.
import type { Connection, Libp2p } from '@libp2p/interface'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import type { Logger } from './logger.js'

/** libp2p's identify deadline is 5 s: look once it has surely ended. */
export const IDENTIFY_CHECK_MS = 6_000
/** then 12, 24, 48 s later, and once a minute from there on: a loaded node may fail many times */
const MAX_INTERVAL_MS = 60_000

interface IdentifyService {
  identify(connection: Connection): Promise<unknown>
}

/** Starts watching new connections; returns the function that stops it. */
export function retryIdentify(libp2p: Libp2p, logger: Logger): () => void {
  const identify = (libp2p.services as { identify?: IdentifyService }).identify
  if (identify === undefined) return () => undefined
  const timers = new Set<TimerHandle>()
  let stopped = false

  const known = async (connection: Connection) => {
    const peer = await libp2p.peerStore.get(connection.remotePeer).catch(() => undefined)
    return (peer?.protocols.length ?? 0) > 0
  }
  const check = (connection: Connection, attempt: number) => {
    const timer = setTimer(
      () => {
        timers.delete(timer)
        if (stopped || connection.status !== 'open') return
        void (async () => {
          if (await known(connection)) return
          logger.debug('identifying a peer again: its protocols are still unknown', {
            peer: connection.remotePeer.toString(),
            attempt,
          })
          await identify.identify(connection).catch(() => undefined)
          if (!stopped && connection.status === 'open' && !(await known(connection)))
            check(connection, attempt + 1)
        })()
      },
      Math.min(MAX_INTERVAL_MS, IDENTIFY_CHECK_MS * 2 ** attempt),
    )
    timers.add(timer)
  }
  const onOpen = (evt: { detail: Connection }) => check(evt.detail, 0)
  libp2p.addEventListener('connection:open', onOpen)
  return () => {
    stopped = true
    libp2p.removeEventListener('connection:open', onOpen)
    for (const timer of timers) clearTimer(timer)
    timers.clear()
  }
}
