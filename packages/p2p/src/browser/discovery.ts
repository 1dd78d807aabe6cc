// Browsers find each other for direct WebRTC connections. A browser with a relay reservation can
// be dialled at <relay>/p2p-circuit/webrtc/p2p/<id>; all others need is its peer id and which
// relay. Each such browser announces that on a small gossip topic (the relays forward it; Node
// and edge peers do not subscribe), and each browser keeps a few direct connections to the
// browsers it hears of. Announcements carry no address: the dialler builds the address from a
// relay it is connected to itself, so a forged announcement can at most make us try one
// WebRTC dial through our own relay (and the author is the message's signed `from`).

import type { Message } from '@libp2p/gossipsub'
import { type GossipSub, TopicValidatorResult } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { clearTimer, setTimer, type TimerHandle } from '@wisp/protocol'
import { timeoutSignal } from '../abort.js'
import type { Logger } from '../logger.js'

export interface WebRTCDiscoveryOptions {
  /** the topic namespace (the topic is `<namespace>.wisp-webrtc-peers`) */
  namespace: string
  /** relay multiaddrs ending in /p2p/<relay id> */
  relays: string[]
  /** direct WebRTC connections to keep; 0 turns dialling off (announcing still happens) */
  maxDirectPeers: number
  announceEveryMs: number
}

export const DEFAULT_WEBRTC_DISCOVERY = Object.freeze({ maxDirectPeers: 3, announceEveryMs: 20_000 })

export const webRTCDiscoveryTopic = (namespace: string) => `${namespace}.wisp-webrtc-peers`

/** Largest announcement accepted (a few relay ids as JSON). */
const MAX_ANNOUNCEMENT_BYTES = 512
/** After a failed dial, leave that peer alone this long. */
const RETRY_AFTER_MS = 60_000
const DIAL_TIMEOUT_MS = 20_000
/** Until the first announcement went out: check for a reservation this often. */
const FIRST_ANNOUNCE_CHECK_MS = 1000

interface Announcement {
  v: 1
  relays: string[]
}

/** Parses an announcement; undefined when it is not one. */
export function parseAnnouncement(data: Uint8Array): Announcement | undefined {
  if (data.length === 0 || data.length > MAX_ANNOUNCEMENT_BYTES) return undefined
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as Partial<Announcement>
    if (
      value.v !== 1 ||
      !Array.isArray(value.relays) ||
      value.relays.length === 0 ||
      value.relays.length > 8
    ) {
      return undefined
    }
    if (!value.relays.every((r) => typeof r === 'string' && /^[1-9A-HJ-NP-Za-km-z]{32,64}$/.test(r)))
      return undefined
    return { v: 1, relays: value.relays }
  } catch {
    return undefined
  }
}

const relayIdOf = (address: string) => /\/p2p\/([^/]+)$/.exec(address)?.[1]

/**
 * Starts announcing this browser (once it has a relay reservation) and dialling the browsers it
 * hears of, up to `maxDirectPeers` direct WebRTC connections. Returns the function that stops it.
 */
export function startWebRTCDiscovery(
  libp2p: Libp2p<{ pubsub: GossipSub }>,
  options: WebRTCDiscoveryOptions,
  logger: Logger,
): () => void {
  const pubsub = libp2p.services.pubsub
  const topic = webRTCDiscoveryTopic(options.namespace)
  const self = libp2p.peerId.toString()
  const relayAddress = new Map(
    options.relays.flatMap((a) => {
      const id = relayIdOf(a)
      return id === undefined ? [] : [[id, a] as const]
    }),
  )
  const failedAt = new Map<string, number>()
  const dialling = new Set<string>()
  let stopped = false
  let timer: TimerHandle | undefined
  let announced = false

  const isDirect = (peer: string) =>
    libp2p
      .getConnections()
      .some(
        (c) =>
          c.remotePeer.toString() === peer &&
          c.remoteAddr.toString().includes('/webrtc') &&
          c.limits === undefined,
      )
  const directCount = () =>
    new Set(
      libp2p
        .getConnections()
        .filter((c) => c.remoteAddr.toString().includes('/webrtc') && c.limits === undefined)
        .map((c) => c.remotePeer.toString()),
    ).size
  /** the relays we hold a reservation on: our own /p2p-circuit/webrtc addresses name them */
  const reservedOn = () => [
    ...new Set(
      libp2p
        .getMultiaddrs()
        .map((a) => a.toString())
        .filter((a) => a.includes('/p2p-circuit/webrtc'))
        .map((a) => /\/p2p\/([^/]+)\/p2p-circuit/.exec(a)?.[1])
        .filter((id): id is string => id !== undefined && relayAddress.has(id)),
    ),
  ]

  // gossipsub asks this before forwarding or delivering: only well-formed, signed announcements
  pubsub.topicValidators.set(topic, async (_from, message) =>
    message.type === 'signed' && parseAnnouncement(message.data) !== undefined
      ? TopicValidatorResult.Accept
      : TopicValidatorResult.Reject,
  )

  const onMessage = (event: { detail: Message }) => {
    const message = event.detail
    if (message.topic !== topic || message.type !== 'signed') return
    const author = message.from.toString()
    const announcement = parseAnnouncement(message.data)
    if (announcement === undefined || author === self) return
    // one side dials (the smaller peer id), so two browsers do not open two connections at once
    if (self > author) return
    if (dialling.has(author) || isDirect(author) || directCount() + dialling.size >= options.maxDirectPeers)
      return
    if (Date.now() - (failedAt.get(author) ?? Number.NEGATIVE_INFINITY) < RETRY_AFTER_MS) return
    const connectedRelays = new Set(libp2p.getConnections().map((c) => c.remotePeer.toString()))
    const via = announcement.relays.find((id) => relayAddress.has(id) && connectedRelays.has(id))
    if (via === undefined) return
    dialling.add(author)
    const { signal, clear } = timeoutSignal(DIAL_TIMEOUT_MS)
    libp2p
      .dial(multiaddr(`${relayAddress.get(via)}/p2p-circuit/webrtc/p2p/${author}`), { signal })
      .then(
        () => logger.info('direct WebRTC connection from discovery', { peer: author }),
        (err: unknown) => {
          failedAt.set(author, Date.now())
          logger.debug('discovered peer not reachable over WebRTC', { peer: author, error: String(err) })
        },
      )
      .finally(() => {
        clear()
        dialling.delete(author)
      })
  }
  pubsub.addEventListener('message', onMessage)
  pubsub.subscribe(topic)

  const announce = async () => {
    const relays = reservedOn()
    if (relays.length === 0) return false
    const data = new TextEncoder().encode(JSON.stringify({ v: 1, relays } satisfies Announcement))
    await pubsub.publish(topic, data).catch(() => undefined)
    return true
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimer(
      () =>
        void announce()
          .then((sent) => {
            announced ||= sent
          })
          .finally(schedule),
      announced ? options.announceEveryMs : FIRST_ANNOUNCE_CHECK_MS,
    )
  }
  schedule()
  return () => {
    stopped = true
    clearTimer(timer)
    pubsub.removeEventListener('message', onMessage)
    pubsub.topicValidators.delete(topic)
  }
}
