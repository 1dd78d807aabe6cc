// Defences against hostile peers that gossipsub's own score cannot express:
//  - PeerPenalties: points charged to a peer id for offences only the application sees (an
//    equivocating vote, forged content that a relay forwarded on its author's behalf). Read by
//    gossipsub as the application-specific score (P5, weight 1, see scoring.ts), decaying like the
//    other score components.
//  - BanList: peers hung up for falling below the graylist threshold, refused for a backoff that
//    doubles with each repeat offence (startNetwork sweeps the scores, the connection gater and a
//    'connection:open' listener keep banned peers out, keepBootstrapPeers does not redial them).
// Runtime factories create one PeerDefences per node and hand it to both the gossipsub service
// (wispServices) and startNetwork (components.defences), because the services are built first.
import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { BanOptions, NetworkOptions, PenaltyOptions } from './options.js'

interface Penalty {
  value: number
  at: number
}

export class PeerPenalties {
  readonly #entries = new Map<string, Penalty>()
  readonly #options: PenaltyOptions
  readonly #intervalMs: number
  readonly #toZero: number
  readonly #now: () => number

  constructor(
    options: PenaltyOptions,
    decay: { decayIntervalMs: number; decayToZero: number },
    now: () => number = Date.now,
  ) {
    this.#options = options
    this.#intervalMs = decay.decayIntervalMs
    this.#toZero = decay.decayToZero
    this.#now = now
  }

  /** Charges `points` (> 0) to a peer. */
  add(peerId: string, points: number): void {
    if (!(points > 0)) return
    const now = this.#now()
    const value = this.#current(peerId, now) + points
    this.#entries.delete(peerId)
    this.#entries.set(peerId, { value, at: now })
    if (this.#entries.size > this.#options.maxPeers) this.#evictSmallest(now)
  }

  /** The current (decayed) penalty, ≥ 0. */
  get(peerId: string): number {
    return this.#current(peerId, this.#now())
  }

  /** gossipsub's `appSpecificScore`: the penalty, negated. */
  readonly score = (peerId: string): number => {
    const p = this.get(peerId)
    return p === 0 ? 0 : -p
  }

  get size(): number {
    return this.#entries.size
  }

  #current(peerId: string, now: number): number {
    const entry = this.#entries.get(peerId)
    if (entry === undefined) return 0
    const value = entry.value * this.#options.decay ** (Math.max(0, now - entry.at) / this.#intervalMs)
    if (value < this.#toZero) {
      this.#entries.delete(peerId)
      return 0
    }
    return value
  }

  #evictSmallest(now: number): void {
    let smallest: string | undefined
    let min = Number.POSITIVE_INFINITY
    for (const peerId of [...this.#entries.keys()]) {
      const v = this.#current(peerId, now)
      if (this.#entries.has(peerId) && v < min) {
        min = v
        smallest = peerId
      }
    }
    if (this.#entries.size > this.#options.maxPeers && smallest !== undefined) this.#entries.delete(smallest)
  }
}

interface BanEntry {
  until: number
  offences: number
  last: number
}

export class BanList {
  readonly #entries = new Map<string, BanEntry>()
  readonly #options: BanOptions
  readonly #now: () => number

  constructor(options: BanOptions, now: () => number = Date.now) {
    this.#options = options
    this.#now = now
  }

  /** Bans a peer: `firstMs`, doubled for each earlier offence, at most `maxMs`. Returns the duration. */
  ban(peerId: string): number {
    const now = this.#now()
    const previous = this.#entries.get(peerId)
    const offences =
      previous !== undefined && now - previous.last < this.#options.forgetAfterMs ? previous.offences + 1 : 1
    const duration = Math.min(this.#options.maxMs, this.#options.firstMs * 2 ** (offences - 1))
    this.#entries.delete(peerId)
    this.#entries.set(peerId, { until: now + duration, offences, last: now })
    while (this.#entries.size > this.#options.maxPeers) {
      // Map order is insertion order: the least recently banned goes first
      this.#entries.delete(this.#entries.keys().next().value!)
    }
    return duration
  }

  isBanned(peerId: string): boolean {
    const entry = this.#entries.get(peerId)
    return entry !== undefined && this.#now() < entry.until
  }

  /** Peers banned right now. */
  banned(): string[] {
    const now = this.#now()
    return [...this.#entries].filter(([, e]) => now < e.until).map(([peerId]) => peerId)
  }

  /** How many offences a peer has on record (0 when none or forgotten). */
  offences(peerId: string): number {
    const entry = this.#entries.get(peerId)
    if (entry === undefined || this.#now() - entry.last >= this.#options.forgetAfterMs) return 0
    return entry.offences
  }

  /**
   * Connection gater rules that keep banned peers out: no dial to them, and connections from or
   * to them are refused as soon as the remote peer id is known (after the encryption handshake).
   */
  gater(): Pick<
    ConnectionGater,
    'denyDialPeer' | 'denyInboundEncryptedConnection' | 'denyOutboundEncryptedConnection'
  > {
    const denied = (peerId: PeerId) => this.isBanned(peerId.toString())
    return {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied,
    }
  }
}

export interface PeerDefences {
  penalties: PeerPenalties
  bans: BanList
}

/** One node's penalties and bans, from its options. */
export function createPeerDefences(
  options: Pick<NetworkOptions, 'penalties' | 'bans' | 'scoring'>,
  now: () => number = Date.now,
): PeerDefences {
  return {
    penalties: new PeerPenalties(options.penalties, options.scoring, now),
    bans: new BanList(options.bans, now),
  }
}

/** A factory's connection gater with the ban rules added (each rule: denied if either denies). */
export function withBans(bans: BanList, base: ConnectionGater = {}): ConnectionGater {
  const rules = bans.gater()
  const gater: ConnectionGater = { ...base }
  type Rule = (peerId: PeerId, ...rest: unknown[]) => boolean | Promise<boolean>
  for (const name of Object.keys(rules) as Array<keyof typeof rules>) {
    const ours = rules[name] as Rule
    const theirs = base[name] as Rule | undefined
    gater[name] = (async (peerId: PeerId, ...rest: unknown[]) =>
      (await ours(peerId)) || (theirs !== undefined && (await theirs(peerId, ...rest)))) as never
  }
  return gater
}
