// The network configuration the web attester fetches at startup (`/wisp-config.json` by default).
// Whoever serves the app writes it: the local network (devnet) with its anvil, contracts, relay
// and registration endpoint; a public deployment with its RPC, AttestationCenter and relays.
// Portable (no DOM, no Node): the page, the engine worker and the Node server all import it.

export type Address = `0x${string}`

/** Where the app looks for its config, relative to the page. `?config=<url>` overrides it. */
export const DEFAULT_CONFIG_PATH = 'wisp-config.json'

export const CONFIG_VERSION = 1

export interface IceServerConfig {
  urls: string | string[]
  username?: string
  credential?: string
}

/** A plugin bundled with the app, by package name. */
export interface BundledPluginSpec {
  source: 'bundled'
  id: '@wisp/plugin-hash-chain' | '@wisp/plugin-price-oracle'
  /** the task definitions it serves here; default: the plugin's own */
  taskDefinitionIds?: number[]
  /** the plugin's config (checked against its schema) */
  config: unknown
  /** price oracle only: host[:port] of its sources (the plugin may fetch nothing else) */
  hosts?: string[]
}

/** A single-file ES module plugin fetched from a URL and refused unless its SHA-256 matches. */
export interface UrlPluginSpec {
  source: 'url'
  url: string
  /** hex SHA-256 of the module's bytes (with or without 0x) */
  sha256: string
  taskDefinitionIds?: number[]
  config: unknown
}

export type PluginSpec = BundledPluginSpec | UrlPluginSpec

export interface WispWebConfig {
  version: 1
  network: {
    /** shown in the header, e.g. "Wisp local network" */
    name: string
    /** `local` enables one-click registration and ws:// / loopback relays */
    kind: 'local' | 'testnet' | 'mainnet'
  }
  chain: {
    /** JSON-RPC over HTTP(S), reachable from the browser (CORS) */
    rpcUrl: string
    chainId: number
    attestationCenter: Address
    /** the OperatorRegistry (`obls()`); read from the AttestationCenter when absent */
    registry?: Address
    /** a block explorer's transaction page with `{tx}` in it, e.g. `https://etherscan.io/tx/{tx}` */
    explorerTxUrl?: string
    /** how often to poll for blocks, events, voting power and rewards (default 2000) */
    pollingIntervalMs?: number
  }
  p2p: {
    /** relay multiaddrs ending in /p2p/<peer id>, e.g. `/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3…` */
    relays: string[]
    /** gossip topic namespace (default `othentic`) */
    topicNamespace?: string
    /** answer operator-auth challenges (the network must run with auth on for it to matter) */
    auth?: boolean
    /** allow ws:// and loopback/private addresses (default: true when network.kind is local) */
    allowLocalNetworks?: boolean
    /** STUN/TURN servers for direct WebRTC between browsers (default none: host candidates only) */
    iceServers?: IceServerConfig[]
    /**
     * Direct WebRTC connections to other browsers to open by themselves, found through the relays'
     * discovery topic (default 3; 0: only the ones dialled from the dashboard). Page mode only.
     */
    maxDirectPeers?: number
  }
  /**
   * One-click registration of the browser's operator, offered by the local network. The page
   * POSTs a {@link RegistrationRequest} as JSON and expects a {@link RegistrationResponse}.
   * Relative URLs resolve against the page.
   */
  registration?: { url: string }
  plugins: PluginSpec[]
  attester?: {
    /** blocks back within which the performer must have been elected; 0 turns the check off (default 16) */
    electionWindowBlocks?: number
    /** round-robin blocks per slot, as the network's performers use it (default 1) */
    roundRobinInterval?: number
    /** operator ids that may be elected performer (default: every active operator) */
    performerIds?: number[]
    /** deadline of one plugin validation in ms (default 10 000) */
    validateTimeoutMs?: number
  }
}

/**
 * `POST registration.url` body. The devnet funds `address`, stakes for it and registers it on the
 * OperatorRegistry with this key (on anvil it can send `registerAsOperator` as `address` through
 * `anvil_impersonateAccount`, so the browser needs no ECDSA-signed transaction).
 */
export interface RegistrationRequest {
  /** the operator's address (checksummed or lower case) */
  address: Address
  /** G2 key as uint256[4] = [x.re, x.im, y.re, y.im], each a 0x-prefixed 32-byte hex word */
  blsPublicKey: [Address, Address, Address, Address]
  /**
   * Proof of possession: G1 signature [x, y] (0x-hex words) of
   * `hashToPoint(DOMAIN_AUTH, keccak(abi.encode(address, registry, chainId)))` — what
   * `registerAsOperator(blsKey, {signature})` checks.
   */
  proofOfPossession: [Address, Address]
}

/** 200 answer of the registration endpoint. */
export interface RegistrationResponse {
  operatorId: number
  /** the registration transaction; absent when the operator was already registered */
  txHash?: Address
  /** decimal string */
  votingPower: string
}

/** 4xx/5xx answer of the registration endpoint. */
export interface RegistrationError {
  error: { code: string; message: string }
}

export class ConfigError extends Error {
  readonly code = 'WEB_INVALID_CONFIG'
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`)
    this.name = 'ConfigError'
  }
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const SHA256_RE = /^(0x)?[0-9a-fA-F]{64}$/

type Obj = Record<string, unknown>

function obj(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('must be an object', path)
  }
  return value as Obj
}

function str(value: unknown, path: string, re?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigError('must be a non-empty string', path)
  if (re !== undefined && !re.test(value)) throw new ConfigError(`must match ${re}`, path)
  return value
}

function int(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`must be an integer in [${min}, ${max}]`, path)
  }
  return value
}

function optional<T>(o: Obj, key: string, path: string, read: (v: unknown, p: string) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o[key], `${path}.${key}`)
}

function list<T>(value: unknown, path: string, read: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value)) throw new ConfigError('must be an array', path)
  return value.map((v, i) => read(v, `${path}[${i}]`))
}

function url(value: unknown, path: string, schemes: RegExp): string {
  const s = str(value, path)
  // relative URLs are allowed where the page resolves them; absolute ones need an allowed scheme
  if (/^[a-z][a-z0-9+.-]*:/i.test(s) && !schemes.test(s)) throw new ConfigError(`scheme not allowed`, path)
  return s
}

function ids(value: unknown, path: string): number[] {
  const out = list(value, path, (v, p) => int(v, p, 0, 0xffff))
  if (out.length === 0) throw new ConfigError('must list at least one task definition', path)
  return out
}

function plugin(value: unknown, path: string): PluginSpec {
  const o = obj(value, path)
  const taskDefinitionIds = optional(o, 'taskDefinitionIds', path, ids)
  if (!('config' in o)) throw new ConfigError('config is required (use {} for none)', `${path}.config`)
  if (o.source === 'bundled') {
    const id = str(o.id, `${path}.id`)
    if (id !== '@wisp/plugin-hash-chain' && id !== '@wisp/plugin-price-oracle') {
      throw new ConfigError(
        'unknown bundled plugin (bundled: @wisp/plugin-hash-chain, @wisp/plugin-price-oracle)',
        `${path}.id`,
      )
    }
    const hosts = optional(o, 'hosts', path, (v, p) =>
      list(v, p, (h, q) => str(h, q, /^[a-z0-9.-]+(:\d{1,5})?$/i)),
    )
    if (id === '@wisp/plugin-price-oracle' && hosts === undefined) {
      throw new ConfigError('the price oracle needs the hosts of its sources', `${path}.hosts`)
    }
    return {
      source: 'bundled',
      id,
      config: o.config,
      ...(taskDefinitionIds ? { taskDefinitionIds } : {}),
      ...(hosts ? { hosts } : {}),
    }
  }
  if (o.source === 'url') {
    return {
      source: 'url',
      url: url(o.url, `${path}.url`, /^https?:/i),
      sha256: str(o.sha256, `${path}.sha256`, SHA256_RE),
      config: o.config,
      ...(taskDefinitionIds ? { taskDefinitionIds } : {}),
    }
  }
  throw new ConfigError('source must be "bundled" or "url"', `${path}.source`)
}

/** Checks a parsed config file; throws {@link ConfigError} naming the first bad field. */
export function parseConfig(value: unknown): WispWebConfig {
  const root = obj(value, 'config')
  if (root.version !== CONFIG_VERSION) throw new ConfigError(`must be ${CONFIG_VERSION}`, 'config.version')
  const network = obj(root.network, 'config.network')
  const kind = network.kind
  if (kind !== 'local' && kind !== 'testnet' && kind !== 'mainnet') {
    throw new ConfigError('must be local, testnet or mainnet', 'config.network.kind')
  }
  const chain = obj(root.chain, 'config.chain')
  const p2p = obj(root.p2p, 'config.p2p')
  const relays = list(p2p.relays, 'config.p2p.relays', (v, p) =>
    str(v, p, /^\/.+\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/),
  )
  if (relays.length === 0) throw new ConfigError('must list at least one relay', 'config.p2p.relays')
  const registration = optional(root, 'registration', 'config', (v, p) => ({
    url: url(obj(v, p).url, `${p}.url`, /^https?:/i),
  }))
  const attester = optional(root, 'attester', 'config', (v, p) => {
    const a = obj(v, p)
    const electionWindowBlocks = optional(a, 'electionWindowBlocks', p, (x, q) => int(x, q, 0, 1_000_000))
    const roundRobinInterval = optional(a, 'roundRobinInterval', p, (x, q) => int(x, q, 1, 1_000_000))
    const validateTimeoutMs = optional(a, 'validateTimeoutMs', p, (x, q) => int(x, q, 10, 600_000))
    const performerIds = optional(a, 'performerIds', p, (x, q) => {
      if (!Array.isArray(x) || x.length === 0)
        throw new ConfigError('must be a non-empty array of operator ids', q)
      return x.map((id, i) => int(id, `${q}[${i}]`, 1, 2 ** 31))
    })
    return {
      ...(performerIds !== undefined ? { performerIds } : {}),
      ...(electionWindowBlocks !== undefined ? { electionWindowBlocks } : {}),
      ...(roundRobinInterval !== undefined ? { roundRobinInterval } : {}),
      ...(validateTimeoutMs !== undefined ? { validateTimeoutMs } : {}),
    }
  })
  const iceServers = optional(p2p, 'iceServers', 'config.p2p', (v, p) =>
    list(v, p, (s, q) => {
      const o = obj(s, q)
      const urls = Array.isArray(o.urls) ? list(o.urls, `${q}.urls`, str) : str(o.urls, `${q}.urls`)
      return {
        urls,
        ...(typeof o.username === 'string' ? { username: o.username } : {}),
        ...(typeof o.credential === 'string' ? { credential: o.credential } : {}),
      }
    }),
  )
  const topicNamespace = optional(p2p, 'topicNamespace', 'config.p2p', (v, p) =>
    str(v, p, /^[a-z0-9._-]{1,64}$/i),
  )
  const auth = optional(p2p, 'auth', 'config.p2p', (v, p) => {
    if (typeof v !== 'boolean') throw new ConfigError('must be a boolean', p)
    return v
  })
  const allowLocalNetworks = optional(p2p, 'allowLocalNetworks', 'config.p2p', (v, p) => {
    if (typeof v !== 'boolean') throw new ConfigError('must be a boolean', p)
    return v
  })
  const maxDirectPeers = optional(p2p, 'maxDirectPeers', 'config.p2p', (v, p) => int(v, p, 0, 16))
  const registry = optional(chain, 'registry', 'config.chain', (v, p) => str(v, p, ADDRESS_RE) as Address)
  const explorerTxUrl = optional(chain, 'explorerTxUrl', 'config.chain', (v, p) => url(v, p, /^https?:/i))
  const pollingIntervalMs = optional(chain, 'pollingIntervalMs', 'config.chain', (v, p) =>
    int(v, p, 100, 600_000),
  )
  return {
    version: 1,
    network: { name: str(network.name, 'config.network.name'), kind },
    chain: {
      rpcUrl: url(chain.rpcUrl, 'config.chain.rpcUrl', /^https?:/i),
      chainId: int(chain.chainId, 'config.chain.chainId', 1, Number.MAX_SAFE_INTEGER),
      attestationCenter: str(
        chain.attestationCenter,
        'config.chain.attestationCenter',
        ADDRESS_RE,
      ) as Address,
      ...(registry ? { registry } : {}),
      ...(explorerTxUrl ? { explorerTxUrl } : {}),
      ...(pollingIntervalMs ? { pollingIntervalMs } : {}),
    },
    p2p: {
      relays,
      ...(topicNamespace ? { topicNamespace } : {}),
      ...(auth !== undefined ? { auth } : {}),
      ...(allowLocalNetworks !== undefined ? { allowLocalNetworks } : {}),
      ...(iceServers ? { iceServers } : {}),
      ...(maxDirectPeers !== undefined ? { maxDirectPeers } : {}),
    },
    ...(registration ? { registration } : {}),
    plugins: list(root.plugins, 'config.plugins', plugin),
    ...(attester ? { attester } : {}),
  }
}

/** Checks a registration request body (the devnet's side of the contract). */
export function parseRegistrationRequest(value: unknown): RegistrationRequest {
  const o = obj(value, 'request')
  const word = (v: unknown, p: string) => str(v, p, /^0x[0-9a-fA-F]{64}$/) as Address
  const key = list(o.blsPublicKey, 'request.blsPublicKey', word)
  const pop = list(o.proofOfPossession, 'request.proofOfPossession', word)
  if (key.length !== 4) throw new ConfigError('must be 4 words', 'request.blsPublicKey')
  if (pop.length !== 2) throw new ConfigError('must be 2 words', 'request.proofOfPossession')
  return {
    address: str(o.address, 'request.address', ADDRESS_RE) as Address,
    blsPublicKey: key as RegistrationRequest['blsPublicKey'],
    proofOfPossession: pop as RegistrationRequest['proofOfPossession'],
  }
}
