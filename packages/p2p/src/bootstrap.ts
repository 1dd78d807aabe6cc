import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { timeoutSignal } from './abort.js'
import { peerIdOf } from './address.js'
import { lightRelayPolicyOf, startLightRelays } from './light-relays.js'
import type { Logger } from './logger.js'

/**
 * Bootstrap peers are tagged with a name starting with libp2p's `keep-alive` prefix, so the
 * connection manager redials them whenever the connection drops.
 */
export const BOOTSTRAP_TAG = 'keep-alive-wisp-bootstrap'

/** The peer ids of bootstrap multiaddrs (those ending in `/p2p/<id>`). */
export function bootstrapPeerIds(addresses: readonly string[]): Set<string> {
  return new Set(addresses.map(peerIdOf).filter((id): id is string => id !== undefined))
}

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
 * While none of them is connected, one warning says so, naming each address and why its last
 * dial failed ("transport not supported here" for a TCP address in a browser); one info line when
 * one is connected again. Without it a peer given an address it cannot dial stays alone silently.
 * A light peer (its factory set a policy with setLightRelayPolicy) holds only `relayTarget` of
 * them instead, moving to another when one goes (light-relays.ts).
 * Returns the function that stops it.
 */
export function keepBootstrapPeers(
  libp2p: Libp2p,
  addresses: string[],
  logger: Logger,
  /** peers not to redial now (banned ones) */
  skip: (peerId: string) => boolean = () => false,
): () => void {
  const policy = lightRelayPolicyOf(libp2p)
  if (policy !== undefined) {
    const keeper = startLightRelays(libp2p, policy, logger, skip)
    policy.keeper = keeper
    return () => void keeper.stop()
  }
  const targets = addresses
    .map((address) => ({
      address,
      peerId: peerIdOf(address),
      delay: FIRST_RETRY_MS,
      at: 0,
      failures: 0,
      error: undefined as string | undefined,
    }))
    .filter((t): t is typeof t & { peerId: string } => t.peerId !== undefined)
  let timer: TimerHandle | undefined
  let stopped = false
  /** whether a bootstrap peer was connected at the last check; undefined before any verdict */
  let reachable: boolean | undefined
  const report = () => {
    const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
    const up = targets.find((t) => connected.has(t.peerId))
    if (up !== undefined) {
      if (reachable === false) logger.info('bootstrap peer reachable again', { address: up.address })
      reachable = true
      return
    }
    // no verdict while a first dial is still pending (no failure recorded yet)
    if (reachable === false || targets.some((t) => t.error === undefined)) return
    reachable = false
    logger.warn('no bootstrap peer is reachable: this node has no path to the network', {
      tried: targets.map((t) => `${t.address} (${t.error})`).join('; '),
    })
  }
  const tick = async () => {
    const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
    const now = Date.now()
    await Promise.all(
      targets.map(async (t) => {
        if (connected.has(t.peerId)) {
          t.delay = FIRST_RETRY_MS
          t.at = 0
          t.failures = 0
          t.error = undefined
          return
        }
        if (now < t.at || skip(t.peerId)) return
        const { signal, clear } = timeoutSignal(DIAL_TIMEOUT_MS)
        try {
          await libp2p.dial(multiaddr(t.address), { signal })
          logger.info('redialled bootstrap peer', { address: t.address })
          t.delay = FIRST_RETRY_MS
        } catch (err) {
          t.error = describeDialError(err, signal)
          // every second for the first attempts (a relay restarting), then backing off
          t.failures++
          t.at = Date.now() + t.delay
          if (t.failures >= FAST_ATTEMPTS) t.delay = Math.min(t.delay * 2, MAX_RETRY_MS)
        } finally {
          clear()
        }
      }),
    )
    if (!stopped) report()
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

/** Why a dial failed, in one short phrase for the operator's log. */
export function describeDialError(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted === true) return `no answer within ${DIAL_TIMEOUT_MS / 1000} s`
  const e = err as { name?: string; message?: string; errors?: unknown[] }
  // libp2p drops the addresses it has no transport for, then finds none left to dial
  if (e?.name === 'NoValidAddressesError' || e?.name === 'TransportUnavailableError') {
    return 'transport not supported here'
  }
  const inner = Array.isArray(e?.errors) && e.errors.length > 0 ? describeDialError(e.errors[0]) : undefined
  const message = (e?.message ?? String(err)).split('\n')[0]!
  return inner !== undefined && inner !== message ? `${message}: ${inner}` : message
}
