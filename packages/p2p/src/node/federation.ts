/// <reference types="node" />
// Relays that form one network. Each relay keeps a connection to every other relay it knows and
// makes it a gossipsub *direct* peer: every message on every topic (the four Wisp topics and the
// browsers' WebRTC discovery topic) goes to it at once, whatever the mesh holds. A mesh alone does
// not do: a relay with more than D leaf peers never grafts another relay, so gossip would cross
// only lazily (IHAVE/IWANT, a heartbeat later) or not at all.
// Discovery: relays announce themselves on a topic of their own (only relays subscribe to it). A
// relay that learns of another from an announcement dials it and keeps it, so a new relay needs
// one federated relay's address, not an entry in every relay's config.
import { type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { timeoutSignal } from '../abort.js'
import { describeDialError } from '../bootstrap.js'
import { P2PError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { WispServices } from '../network.js'
import { relayAnnouncementTopic } from '../relay-topic.js'
import { RateLimiter } from '../validation/rate-limit.js'

export { relayAnnouncementTopic }

/** Peer-store tag of federated relays: the connection manager prunes them last. */
export const FEDERATION_TAG = 'wisp-relay-federation'

export interface FederationOptions {
  /** Other relays' multiaddrs, each ending in `/p2p/<peer id>`; our own is skipped. */
  peers: string[]
  /**
   * Relays kept at most (configured ones count too). Bounds what announcements can make us dial:
   * anyone who can reach a relay can publish one, so beyond this further relays are ignored.
   */
  maxRelays: number
  /** How often a relay re-announces itself (also whenever another relay subscribes). */
  announceEveryMs: number
  /**
   * Peer ids of the relays we federate with when they announce themselves; empty: any relay.
   * A closed network lists its relays here, so a peer announcing itself as a relay is ignored.
   */
  allowRelays: string[]
}

export const DEFAULT_FEDERATION_OPTIONS: Readonly<FederationOptions> = Object.freeze({
  peers: [],
  maxRelays: 32,
  announceEveryMs: 30_000,
  allowRelays: [],
})

export interface Federation {
  /** Peer ids of the relays we keep (configured and discovered). */
  relays(): string[]
  /** Those connected now. */
  connected(): string[]
  /** Whether a peer is one of the relays we keep. */
  has(peerId: string): boolean
  stop(): void
}

/** Largest announcement accepted: a few addresses as JSON. */
const MAX_ANNOUNCEMENT_BYTES = 2048
const MAX_ANNOUNCED_ADDRS = 8
const MAX_ADDR_CHARS = 256
const FIRST_RETRY_MS = 1000
const MAX_RETRY_MS = 30_000
const DIAL_TIMEOUT_MS = 10_000
const TICK_MS = 1000
/**
 * Announcements one relay may author per `announceEveryMs`: its timed one plus re-announcements
 * when relays subscribe (we hold ourselves to it too). A link may carry this many per relay kept.
 */
const ANNOUNCEMENTS_PER_INTERVAL = 4

interface Known {
  addrs: string[]
  configured: boolean
  delay: number
  at: number
  /** whether it was connected at the last tick (to log changes only) */
  up: boolean | undefined
}

function splitAddress(address: string): { peerId: string; addr: string } | undefined {
  const m = /^(.*)\/p2p\/([^/]+)$/.exec(address)
  return m === null ? undefined : { peerId: m[2]!, addr: address }
}

/** The addresses of an announcement's JSON (`{"addrs": [...]}`), or undefined when malformed. */
export function parseAnnouncement(data: Uint8Array, from: string): string[] | undefined {
  if (data.length > MAX_ANNOUNCEMENT_BYTES) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(data))
  } catch {
    return undefined
  }
  const addrs = (parsed as { addrs?: unknown } | null)?.addrs
  if (!Array.isArray(addrs) || addrs.length === 0 || addrs.length > MAX_ANNOUNCED_ADDRS) return undefined
  const out: string[] = []
  for (const a of addrs) {
    if (typeof a !== 'string' || a.length > MAX_ADDR_CHARS) return undefined
    try {
      // a relay's own address for us to dial: never through a circuit
      const ma = multiaddr(a)
      if (a.includes('/p2p-circuit')) return undefined
      const id = ma
        .getComponents()
        .filter((c) => c.name === 'p2p')
        .pop()?.value
      if (id !== undefined && id !== from) return undefined
      out.push(id === undefined ? `${a}/p2p/${from}` : a)
    } catch {
      return undefined
    }
  }
  return out
}

/**
 * Starts federating a started relay with the relays of `options.peers` and those that announce
 * themselves. `isBanned`: peers not to dial now. Returns the handle that stops it.
 */
export function startFederation(
  libp2p: Libp2p<WispServices>,
  namespace: string,
  options: FederationOptions,
  logger: Logger,
  isBanned: (peerId: string) => boolean = () => false,
): Federation {
  const pubsub = libp2p.services.pubsub
  const topic = relayAnnouncementTopic(namespace)
  const self = libp2p.peerId.toString()
  const known = new Map<string, Known>()
  const allowed = new Set(options.allowRelays)
  // js-gossipsub's set of direct peers: public on its class, not on the GossipSub interface
  const direct = (pubsub as unknown as { direct?: unknown }).direct
  if (!(direct instanceof Set)) {
    throw new P2PError('P2P_INVALID_OPTIONS', 'this gossipsub has no direct peer set: relays cannot federate')
  }
  let stopped = false
  let timer: TimerHandle | undefined
  let announceTimer: TimerHandle | undefined
  let refusedLogged = false
  // Anyone can publish on the relays' topic and every relay forwards what it accepts to every
  // other: without these a peer of one relay could flood them all (and, being a direct peer, a
  // relay is never graylisted by gossipsub). Over a bucket: reject when the author sent it itself
  // (the topic is scored, services.ts: a flooder is graylisted and banned), ignore when forwarded.
  const budget = { messages: ANNOUNCEMENTS_PER_INTERVAL, intervalMs: options.announceEveryMs }
  const perAuthor = new RateLimiter(budget, Date.now)
  const perLink = new RateLimiter(
    { messages: budget.messages * Math.max(1, options.maxRelays), intervalMs: budget.intervalMs },
    Date.now,
  )

  const add = (peerId: string, addrs: string[], configured: boolean): boolean => {
    if (peerId === self) return false
    const entry = known.get(peerId)
    if (entry !== undefined) {
      if (!configured) entry.addrs = addrs
      return false
    }
    if (known.size >= options.maxRelays) {
      if (!refusedLogged) {
        refusedLogged = true
        logger.warn('relay limit reached: not federating with more relays', {
          maxRelays: options.maxRelays,
          peerId,
        })
      }
      return false
    }
    known.set(peerId, { addrs, configured, delay: FIRST_RETRY_MS, at: 0, up: undefined })
    // a direct peer gets every message of every topic it subscribes to, grafted or not
    direct.add(peerId)
    let id: PeerId
    try {
      id = peerIdFromString(peerId)
    } catch {
      return false
    }
    void libp2p.peerStore
      .merge(id, { multiaddrs: addrs.map((a) => multiaddr(a)), tags: { [FEDERATION_TAG]: { value: 100 } } })
      .catch(() => undefined)
    logger.info(configured ? 'federating with configured relay' : 'federating with announced relay', {
      peerId,
      addrs,
    })
    return true
  }

  for (const address of options.peers) {
    const parts = splitAddress(address)
    if (parts === undefined) {
      logger.warn('relay peer address without /p2p/<peer id>: ignored', { address })
      continue
    }
    const entry = known.get(parts.peerId)
    if (entry !== undefined) entry.addrs.push(address)
    else add(parts.peerId, [address], true)
  }

  const tick = async () => {
    const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
    const now = Date.now()
    await Promise.all(
      [...known].map(async ([peerId, k]) => {
        if (connected.has(peerId)) {
          if (k.up === false) logger.info('federated relay connected', { peerId })
          k.up = true
          k.delay = FIRST_RETRY_MS
          k.at = 0
          return
        }
        if (stopped || now < k.at || isBanned(peerId)) return
        const { signal, clear } = timeoutSignal(DIAL_TIMEOUT_MS)
        try {
          await libp2p.dial(
            k.addrs.map((a) => multiaddr(a)),
            { signal },
          )
          if (k.up !== true) logger.info('federated relay connected', { peerId })
          k.up = true
          k.delay = FIRST_RETRY_MS
        } catch (err) {
          if (k.up !== false) {
            logger.warn('federated relay unreachable: retrying with backoff', {
              peerId,
              error: describeDialError(err, signal),
            })
          }
          k.up = false
          k.at = Date.now() + k.delay
          k.delay = Math.min(k.delay * 2, MAX_RETRY_MS)
        } finally {
          clear()
        }
      }),
    )
  }
  const schedule = (ms: number) => {
    if (stopped) return
    timer = setTimer(() => void tick().finally(() => schedule(TICK_MS)), ms)
  }

  const announce = () => {
    if (stopped) return
    const addrs = libp2p
      .getMultiaddrs()
      .map((ma) => ma.toString())
      .filter((a) => !a.includes('/p2p-circuit'))
      .slice(0, MAX_ANNOUNCED_ADDRS)
    if (addrs.length === 0) return
    // the other relays hold us to the same budget; the timed announcement comes soon enough
    if (!perAuthor.take(self)) return
    // publishing with no relay subscribed yet reaches nobody; the next subscription re-announces
    void pubsub.publish(topic, new TextEncoder().encode(JSON.stringify({ addrs }))).catch((err: Error) => {
      logger.debug('relay announcement not published', { error: err.message })
    })
  }
  let announcePending = false
  /** Re-announce soon (coalescing a burst of subscriptions into one message). */
  const announceSoon = () => {
    if (announcePending || stopped) return
    announcePending = true
    setTimer(() => {
      announcePending = false
      announce()
    }, 50)
  }
  const scheduleAnnounce = () => {
    if (stopped) return
    announceTimer = setTimer(() => {
      announce()
      scheduleAnnounce()
    }, options.announceEveryMs)
  }

  const validate = (source: PeerId, msg: Message): TopicValidatorResult => {
    // StrictSign: the author is the key that signed it, so a relay can only announce itself
    if (msg.type !== 'signed') return TopicValidatorResult.Reject
    const from = msg.from.toString()
    const sentByAuthor = from === source.toString()
    if (!perLink.take(source.toString()) || !perAuthor.take(from)) {
      return sentByAuthor ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
    }
    return parseAnnouncement(msg.data, from) === undefined
      ? TopicValidatorResult.Reject
      : TopicValidatorResult.Accept
  }
  const onMessage = (evt: CustomEvent<Message>) => {
    const msg = evt.detail
    if (msg.topic !== topic || msg.type !== 'signed') return
    const from = msg.from.toString()
    const addrs = parseAnnouncement(msg.data, from)
    if (addrs === undefined) return
    if (allowed.size > 0 && !allowed.has(from)) {
      logger.debug('announced relay not in allowRelays: ignored', { peerId: from })
      return
    }
    // a relay new to us announces again once it sees our subscription, so it learns of us too
    if (add(from, addrs, false)) schedule(0)
  }
  const onSubscription = (
    evt: CustomEvent<{ subscriptions: Array<{ topic: string; subscribe: boolean }> }>,
  ) => {
    if (evt.detail.subscriptions.some((s) => s.topic === topic && s.subscribe)) announceSoon()
  }

  pubsub.topicValidators.set(topic, validate)
  pubsub.addEventListener('message', onMessage)
  pubsub.addEventListener('subscription-change', onSubscription as never)
  pubsub.subscribe(topic)
  schedule(0)
  announceSoon()
  scheduleAnnounce()

  return {
    relays: () => [...known.keys()],
    has: (peerId) => known.has(peerId),
    connected: () => {
      const connected = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
      return [...known.keys()].filter((id) => connected.has(id))
    },
    stop() {
      stopped = true
      clearTimer(timer)
      clearTimer(announceTimer)
      pubsub.removeEventListener('message', onMessage)
      pubsub.removeEventListener('subscription-change', onSubscription as never)
      pubsub.topicValidators.delete(topic)
    },
  }
}
