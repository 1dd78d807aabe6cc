import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { timeoutSignal } from './abort.js'
import type { Logger } from './logger.js'

/**
 * Bootstrap peers are tagged with a name starting with libp2p's `keep-alive` prefix, so the
 * connection manager redials them whenever the connection drops.
 */
export const BOOTSTRAP_TAG = 'keep-alive-wisp-bootstrap'

const FIRST_RETRY_MS = 1000
const MAX_RETRY_MS = 30_000
const FAST_ATTEMPTS = 10
const DIAL_TIMEOUT_MS = 10_000

/**
 * Redials the bootstrap peers (the relays) while they are unreachable: every second for ten
 * attempts, then backing off up to 30 s.
 * libp2p's own keep-alive redial gives up after its first failed attempt: its retry helper
 * (p-retry 8) refuses the non-`Error` value a refused WebSocket rejects with, and drops the
 * keep-alive tag — so a relay that restarts (down for more than an instant) was never redialled.
 * A peer `skip` names (a banned one) is left alone until it no longer does.
 * Returns the function that stops it.
 */
export function keepBootstrapPeers(
  libp2p: Libp2p,
  addresses: string[],
  logger: Logger,
  /** peers not to redial now (banned ones) */
  skip: (peerId: string) => boolean = () => false,
): () => void {
  const targets = addresses
    .map((address) => ({
      address,
      peerId: /\/p2p\/([^/]+)$/.exec(address)?.[1],
      delay: FIRST_RETRY_MS,
      at: 0,
      failures: 0,
    }))
    .filter((t): t is typeof t & { peerId: string } => t.peerId !== undefined)
  let timer: TimerHandle | undefined
  let stopped = false
  const tick = async () => {
    const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
    const now = Date.now()
    await Promise.all(
      targets.map(async (t) => {
        if (connected.has(t.peerId)) {
          t.delay = FIRST_RETRY_MS
          t.at = 0
          t.failures = 0
          return
        }
        if (now < t.at || skip(t.peerId)) return
        const { signal, clear } = timeoutSignal(DIAL_TIMEOUT_MS)
        try {
          await libp2p.dial(multiaddr(t.address), { signal })
          logger.info('redialled bootstrap peer', { address: t.address })
          t.delay = FIRST_RETRY_MS
        } catch {
          // every second for the first attempts (a relay restarting), then backing off
          t.failures++
          t.at = Date.now() + t.delay
          if (t.failures >= FAST_ATTEMPTS) t.delay = Math.min(t.delay * 2, MAX_RETRY_MS)
        } finally {
          clear()
        }
      }),
    )
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimer(() => void tick().finally(schedule), FIRST_RETRY_MS)
  }
  if (targets.length > 0) schedule()
  return () => {
    stopped = true
    clearTimer(timer)
  }
}
