// What a light peer remembers between runs: the relays it reached (and when), so a reload dials
// the ones that worked last time first, even when its configured list has gone stale. Pages keep
// it in IndexedDB, edge workers in Durable Object storage: both sit behind `PeerStoreBackend`.

/** One relay a light peer knows: where it is, when it last answered, when it last failed. */
export interface RelayRecord {
  /** multiaddr ending in /p2p/<relay id> */
  address: string
  /** ms since the epoch of the last connection that opened; 0: never */
  lastGoodAt: number
  /** ms since the epoch of the last failed dial; 0: never */
  lastFailedAt: number
}

/** One other peer seen on the network (a browser met over WebRTC, a relay's other peers). */
export interface PeerRecord {
  peerId: string
  lastSeenAt: number
}

export interface PersistedPeers {
  v: 1
  relays: RelayRecord[]
  peers: PeerRecord[]
}

/** Where the records live: loads once at start, saves (whole) after changes. */
export interface PeerStoreBackend {
  load(): Promise<PersistedPeers | undefined>
  save(peers: PersistedPeers): Promise<void>
}

/** Bounds: a relay list is short; peers are only a hint, keep the most recent. */
export const MAX_REMEMBERED_RELAYS = 32
export const MAX_REMEMBERED_PEERS = 64

const RELAY_ADDRESS = /^\/[^\s]+\/p2p\/[1-9A-HJ-NP-Za-km-z]{32,64}$/

/** Reads what a backend returned; anything malformed is dropped, not thrown (a store from an older build). */
export function parsePersistedPeers(value: unknown): PersistedPeers {
  const v = value as Partial<PersistedPeers> | undefined
  const empty: PersistedPeers = { v: 1, relays: [], peers: [] }
  if (v === undefined || v === null || typeof v !== 'object' || v.v !== 1) return empty
  const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : 0)
  const relays = (Array.isArray(v.relays) ? v.relays : [])
    .filter((r): r is RelayRecord => typeof r?.address === 'string' && RELAY_ADDRESS.test(r.address))
    .map((r) => ({ address: r.address, lastGoodAt: num(r.lastGoodAt), lastFailedAt: num(r.lastFailedAt) }))
    .slice(0, MAX_REMEMBERED_RELAYS)
  const peers = (Array.isArray(v.peers) ? v.peers : [])
    .filter(
      (p): p is PeerRecord => typeof p?.peerId === 'string' && /^[1-9A-HJ-NP-Za-km-z]{32,64}$/.test(p.peerId),
    )
    .map((p) => ({ peerId: p.peerId, lastSeenAt: num(p.lastSeenAt) }))
    .slice(0, MAX_REMEMBERED_PEERS)
  return { v: 1, relays, peers }
}

/** A backend in memory: for tests, and for a runtime with nowhere to persist (state lives as long as it does). */
export function createMemoryPeerStore(
  initial?: PersistedPeers,
): PeerStoreBackend & { current(): PersistedPeers | undefined } {
  let stored = initial === undefined ? undefined : structuredClone(initial)
  return {
    load: async () => (stored === undefined ? undefined : structuredClone(stored)),
    save: async (peers) => {
      stored = structuredClone(peers)
    },
    current: () => stored,
  }
}

/**
 * A backend over any key-value store with async get/put (IndexedDB through @wisp/storage's
 * `Store`, a Durable Object's `state.storage`): one JSON value under `key`.
 */
export function keyValuePeerStore(
  kv: { get(key: string): Promise<unknown>; put(key: string, value: unknown): Promise<unknown> },
  key = 'wisp-p2p-peer-store',
): PeerStoreBackend {
  return {
    async load() {
      const raw = await kv.get(key)
      if (raw === undefined || raw === null) return undefined
      return parsePersistedPeers(typeof raw === 'string' ? JSON.parse(raw) : raw)
    },
    async save(peers) {
      await kv.put(key, JSON.stringify(peers))
    },
  }
}

/** The same over a store of bytes (@wisp/storage's `KeyValueStore`: IndexedDB, Durable Object storage, LevelDB). */
export function bytesPeerStore(
  kv: {
    get(key: string): Promise<Uint8Array | undefined>
    put(key: string, value: Uint8Array): Promise<void>
  },
  key = 'wisp-p2p-peer-store',
): PeerStoreBackend {
  return keyValuePeerStore(
    {
      get: async (k) => {
        const bytes = await kv.get(k)
        return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
      },
      put: (k, value) => kv.put(k, new TextEncoder().encode(String(value))),
    },
    key,
  )
}
