// One operator configuration for every runtime: the Node CLI (`--config file.json`, or flags mapped
// onto it), the web attester (`wisp-config.json`), the edge worker (the `WISP_CONFIG` binding) and
// the local network's builders. Plain JSON, no secrets: keys come from each runtime's own secure
// place (a keystore, the signer worker, worker secrets). `parseOperatorConfig` checks a parsed file,
// fills the defaults below and names the first bad field.
import { OperatorError } from './errors.js'

/** The roles that read other operators' votes, so their node must stay on the votes topic. */
export const ROLES_THAT_READ_VOTES: readonly Role[] = ['aggregator', 'watchtower']

export type Address = `0x${string}`
/**
 * `watchtower` proves double attestation on chain (it needs an account to send the proof); an
 * aggregator runs one anyway, since it sees every vote.
 */
export type Role = 'attester' | 'aggregator' | 'performer' | 'watchtower'
export const ROLES: readonly Role[] = Object.freeze(['attester', 'aggregator', 'performer', 'watchtower'])

export const CONFIG_VERSION = 1

export interface IceServerConfig {
  urls: string | string[]
  username?: string
  credential?: string
}

/** A plugin by package name: bundled with the runtime, or (Node only) imported by name. */
export interface PackagePluginSpec {
  package: string
  /** the task definitions it serves here; default: the plugin's own */
  taskDefinitionIds?: number[]
  /** the plugin's config (checked against the plugin's schema when it loads) */
  config: unknown
  /** host[:port] the plugin may fetch; default: derived from its config (see the catalogue) */
  hosts?: string[]
}

/** A single-file ES module fetched from a URL, refused unless its SHA-256 matches (browsers only). */
export interface UrlPluginSpec {
  url: string
  /** hex SHA-256 of the module's bytes (with or without 0x) */
  sha256: string
  taskDefinitionIds?: number[]
  config: unknown
}

export type PluginSpec = PackagePluginSpec | UrlPluginSpec

export interface OperatorConfig {
  version: 1
  network: {
    /** shown in logs and dashboards, e.g. "Wisp local network" */
    name: string
    /** `local` allows ws:// and loopback relays in browsers and one-click registration */
    kind: 'local' | 'testnet' | 'mainnet'
  }
  /** the roles this operator runs; browsers and edge workers run attesters only */
  roles: Role[]
  chain: {
    /** JSON-RPC over HTTP(S) (reachable from browsers with CORS for web attesters) */
    rpcUrl: string
    /** fallbacks after `rpcUrl` (first is rpcUrl): a failing or rate-limiting RPC hands over to the next */
    rpcUrls?: string[]
    /** which contracts: Wisp's own, an Othentic deployment, or `auto` (asked from the AttestationCenter) */
    backend: 'wisp' | 'othentic' | 'auto'
    /** the deployment block: event logs (e.g. Othentic's task definitions) are scanned from here */
    fromBlock: number
    chainId: number
    attestationCenter: Address
    /** a block explorer's transaction page with `{tx}` in it */
    explorerTxUrl?: string
    /** how often to poll blocks, events, voting power and rewards */
    pollingIntervalMs: number
    /** retries of a failed RPC call, and the deadline of one */
    rpcRetryCount: number
    rpcTimeoutMs: number
    /**
     * How long a gossiped TaskSubmitted may wait for its transaction's receipt before it counts
     * as made up: one slot (12 s) covers an RPC a block behind the announcer's; a local network
     * mines at once.
     */
    outcomeWindowMs: number
  }
  p2p: {
    /** bootstrap relays: multiaddrs ending in /p2p/<peer id> */
    bootstrap: string[]
    /** addresses to listen on (Node only): `/ip4/0.0.0.0/tcp/9876` (TCP) and/or `/ip4/…/tcp/N/ws` */
    listen: string[]
    /** addresses to announce instead of the listen addresses (Node only; Othentic's --announced-addresses) */
    announce?: string[]
    /** also serve as a bootstrap node for other peers, as Othentic's aggregator does (Node only) */
    bootstrapNode?: boolean
    /** gossip topic namespace */
    topicNamespace: string
    /** answer and require operator-auth challenges */
    auth: boolean
    /** browsers: allow ws:// and loopback/private addresses (default: true on a local network) */
    allowLocalNetworks?: boolean
    /** STUN/TURN servers for direct WebRTC between browsers */
    iceServers: IceServerConfig[]
    /** browsers: direct WebRTC connections to open by themselves (page mode only) */
    maxDirectPeers?: number
    /**
     * light peers (pages, workers, edge): relays to hold direct connections to, out of the
     * bootstrap list and those remembered (default 2: the one needed plus a spare)
     */
    relayTarget?: number
    /**
     * `full`: check every gossiped signature and operator; `light`: the same, except that a node
     * that does not aggregate BLS-checks only a random sample of votes (the aggregator checks
     * all; docs/architecture.md, "How much BLS work a vote costs"); `structural`: sizes and
     * encodings only
     */
    validation: 'full' | 'light' | 'structural'
    /**
     * false: do not subscribe to the votes topic. The node's own votes still go out (through its
     * relays); other operators' votes no longer come in, so a large network's message work per
     * task grows with its attesters instead of their square. Only for a node that neither
     * aggregates nor watches (both need every vote). Default: false for a light peer (page,
     * worker, edge) without those roles, true otherwise.
     */
    receiveVotes?: boolean
  }
  /** leader election, shared by performers and attesters' checks */
  election: {
    /** blocks back within which a task's performer must have been elected; 0 turns the check off */
    windowBlocks: number
    /** blocks per round-robin slot */
    roundRobinInterval: number
    /** operators that may be elected performer (default: every active operator) */
    performerIds?: number[]
  }
  attester: {
    /** deadline of one validation, plugin or service */
    validateTimeoutMs: number
    /** validate through an AVS's web API (`POST <url>/task/validate`) instead of plugins */
    validationService?: { url: string }
  }
  aggregator: {
    /** a fixed wait after reaching the threshold (Othentic's --delay); > 0 replaces the latency rule */
    delayMs: number
    /**
     * The latency rule's bound: after the threshold, wait at most this long for the operators that
     * voted on recent tasks of the definition (0 with latencyBlocks 0: submit at the threshold)
     */
    latencyMs: number
    /** the bound in blocks instead; > 0 replaces latencyMs */
    latencyBlocks: number
    /** run internal tasks (Othentic's --internal-tasks): voting-power sync and definition totals */
    internalTasks: boolean
    /** how often (Othentic's default: an hour; at least a minute) */
    internalTasksIntervalMs: number
  }
  performer: {
    /** the task definitions this performer runs when elected */
    taskDefinitionIds: number[]
    signatureType: 'ecdsa' | 'bls'
    /** run every N ms (0: off) */
    intervalMs: number
    /** run every N blocks (0: off) */
    everyBlocks: number
  }
  plugins: PluginSpec[]
  /** a local network's faucet (funds a new operator's address); relative to the page */
  faucet?: { url: string }
  /** Node: where the databases live */
  dataDir?: string
  /** Node: JSON-RPC (`sendTask`, `sendCustomMessage`) */
  jsonRpc?: JsonRpcEndpointConfig
  /** Node: Prometheus `/metrics` and/or a Pushgateway to push them to */
  metrics?: MetricsConfig
}

/** Node: `/metrics` served on `port` (when given), pushed to `exportUrl` (when given). */
export interface MetricsConfig {
  port?: number
  host: string
  /** a Prometheus Pushgateway (http(s) URL): the registry is pushed there periodically and on stop */
  exportUrl?: string
  /** how often to push (default 15 s) */
  exportIntervalMs?: number
}

/** Node: the JSON-RPC endpoint and its limits (unset limits: the server's defaults). */
export interface JsonRpcEndpointConfig {
  port: number
  host: string
  /** answer `sendCustomMessage` (default true; Othentic's grammar turns it on with a flag) */
  customMessages?: boolean
  /** larger request bodies are refused (HTTP 413) */
  maxBodyBytes?: number
  /** handler calls in flight at once; more are refused with -32005 */
  maxInFlight?: number
}

/** The input form: everything with a default may be left out. */
export type OperatorConfigInput = {
  version: 1
  network: OperatorConfig['network']
  chain: Pick<OperatorConfig['chain'], 'rpcUrl' | 'chainId' | 'attestationCenter'> &
    Partial<OperatorConfig['chain']>
  p2p: Pick<OperatorConfig['p2p'], 'bootstrap'> & Partial<OperatorConfig['p2p']>
  roles?: Role[]
  election?: Partial<OperatorConfig['election']>
  attester?: Partial<OperatorConfig['attester']>
  aggregator?: Partial<OperatorConfig['aggregator']>
  performer?: Partial<OperatorConfig['performer']>
  plugins?: PluginSpec[]
  faucet?: { url: string }
  /** the earlier name of `faucet` (read as it) */
  registration?: { url: string }
  dataDir?: string
  jsonRpc?: Omit<JsonRpcEndpointConfig, 'host'> & { host?: string }
  metrics?: Omit<MetricsConfig, 'host'> & { host?: string }
}

/** Every default in one place: runtimes and CLIs read them from here, never as literals. */
export const OPERATOR_DEFAULTS = Object.freeze({
  roles: ['attester'] as Role[],
  chain: Object.freeze({
    pollingIntervalMs: 2000,
    rpcRetryCount: 2,
    rpcTimeoutMs: 15_000,
    outcomeWindowMs: 12_000,
    backend: 'auto' as const,
    fromBlock: 0,
  }),
  p2p: Object.freeze({ topicNamespace: 'othentic', auth: false, validation: 'light' as const }),
  election: Object.freeze({ windowBlocks: 16, roundRobinInterval: 1 }),
  attester: Object.freeze({ validateTimeoutMs: 10_000 }),
  aggregator: Object.freeze({
    delayMs: 0,
    latencyMs: 500,
    latencyBlocks: 0,
    internalTasks: false,
    internalTasksIntervalMs: 3_600_000,
  }),
  performer: Object.freeze({ signatureType: 'ecdsa' as const, intervalMs: 0, everyBlocks: 0 }),
  /** JSON-RPC and metrics listen on loopback unless a host is given */
  host: '127.0.0.1',
})

// ---- readers: each names the field path it checks -------------------------------------------

type Obj = Record<string, unknown>

export function invalidConfig(path: string, message: string): OperatorError {
  return new OperatorError('OPERATOR_INVALID_CONFIG', `${path}: ${message}`, { details: { path } })
}

export function readObject(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidConfig(path, 'must be an object')
  return value as Obj
}

export function readString(value: unknown, path: string, re?: RegExp, what?: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidConfig(path, 'must be a non-empty string')
  if (re !== undefined && !re.test(value)) throw invalidConfig(path, `must be ${what ?? `like ${re}`}`)
  return value
}

export function readInteger(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidConfig(path, `must be an integer in [${min}, ${max}]`)
  return value
}

export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalidConfig(path, 'must be true or false')
  return value
}

export function readList<T>(value: unknown, path: string, read: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value)) throw invalidConfig(path, 'must be an array')
  return value.map((v, i) => read(v, `${path}[${i}]`))
}

export function readUrl(value: unknown, path: string, schemes: RegExp, relative = false): string {
  const s = readString(value, path)
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(s)
  if (!absolute && !relative) throw invalidConfig(path, `must be an absolute URL (${schemes})`)
  if (absolute && !schemes.test(s)) throw invalidConfig(path, `scheme not allowed (${schemes})`)
  if (absolute) {
    try {
      new URL(s)
    } catch {
      throw invalidConfig(path, 'is not a URL')
    }
  }
  return s
}

export const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
const SHA256_RE = /^(0x)?[0-9a-fA-F]{64}$/
const HOST_RE = /^[a-z0-9.-]+(:\d{1,5})?$/i

// A structural multiaddr check without the multiaddr library (it would weigh on the web app's
// first load): known protocols with well-formed values. libp2p parses the address for real when
// it dials; this catches typos and wrong shapes with the field's path.
const HOSTNAME_RE =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i
const MULTIADDR_VALUES: Record<string, ((value: string) => boolean) | null> = {
  ip4: (v) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(v) && v.split('.').every((o) => Number(o) <= 255),
  ip6: (v) => /^[0-9a-f:.]+$/i.test(v) && v.includes(':'),
  dns: (v) => HOSTNAME_RE.test(v),
  dns4: (v) => HOSTNAME_RE.test(v),
  dns6: (v) => HOSTNAME_RE.test(v),
  dnsaddr: (v) => HOSTNAME_RE.test(v),
  tcp: (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65_535,
  udp: (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65_535,
  sni: (v) => HOSTNAME_RE.test(v),
  certhash: (v) => /^[a-z0-9]+$/i.test(v),
  p2p: (v) => /^[1-9A-HJ-NP-Za-km-z]{32,64}$|^b[a-z2-7]{50,70}$/.test(v),
  ws: null,
  wss: null,
  tls: null,
  http: null,
  https: null,
  'quic-v1': null,
  webtransport: null,
  webrtc: null,
  'webrtc-direct': null,
  'p2p-circuit': null,
}

function multiaddrProblem(s: string): string | undefined {
  if (!s.startsWith('/')) return 'must start with "/"'
  const parts = s.slice(1).split('/')
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i]!
    if (!(name in MULTIADDR_VALUES)) return `unknown protocol "${name}"`
    const check = MULTIADDR_VALUES[name]
    if (check === null || check === undefined) continue
    const value = parts[++i]
    if (value === undefined || value === '') return `"${name}" needs a value`
    if (!check(value)) return `"${value}" is not a valid ${name} value`
  }
  return undefined
}

export function readMultiaddr(value: unknown, path: string, needsPeerId: boolean): string {
  const s = readString(value, path)
  const problem = multiaddrProblem(s)
  if (problem !== undefined) throw invalidConfig(path, `is not a multiaddr: ${problem}`)
  if (needsPeerId && !/\/p2p\/[^/]+$/.test(s)) throw invalidConfig(path, 'must end in /p2p/<peer id>')
  return s
}

function optional<T>(o: Obj, key: string, path: string, read: (v: unknown, p: string) => T): T | undefined {
  return o[key] === undefined ? undefined : read(o[key], `${path}.${key}`)
}

/** An optional integer field in [min, max], or its default. */
function integerOr(o: Obj, key: string, path: string, min: number, max: number, fallback: number): number {
  return optional(o, key, path, (v, p) => readInteger(v, p, min, max)) ?? fallback
}

function section(root: Obj, key: string): Obj {
  return root[key] === undefined ? {} : readObject(root[key], `config.${key}`)
}

function definitionIds(value: unknown, path: string): number[] {
  const out = readList(value, path, (v, p) => readInteger(v, p, 0, 0xffff))
  if (out.length === 0) throw invalidConfig(path, 'must list at least one task definition')
  return out
}

function unknownKeys(o: Obj, known: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!known.includes(key))
      throw invalidConfig(`${path}.${key}`, `unknown field (known: ${known.join(', ')})`)
  }
}

function plugin(value: unknown, path: string): PluginSpec {
  const o = readObject(value, path)
  const taskDefinitionIds = optional(o, 'taskDefinitionIds', path, definitionIds)
  if (!('config' in o)) throw invalidConfig(`${path}.config`, 'is required (use {} for none)')
  const ids = taskDefinitionIds ? { taskDefinitionIds } : {}
  if (o.package !== undefined) {
    unknownKeys(o, ['package', 'taskDefinitionIds', 'config', 'hosts'], path)
    const hosts = optional(o, 'hosts', path, (v, p) =>
      readList(v, p, (h, q) => readString(h, q, HOST_RE, 'host[:port]')),
    )
    return {
      package: readString(o.package, `${path}.package`),
      config: o.config,
      ...ids,
      ...(hosts ? { hosts } : {}),
    }
  }
  if (o.url !== undefined) {
    unknownKeys(o, ['url', 'sha256', 'taskDefinitionIds', 'config'], path)
    return {
      url: readUrl(o.url, `${path}.url`, /^https?:/i, true),
      sha256: readString(o.sha256, `${path}.sha256`, SHA256_RE, 'a hex SHA-256'),
      config: o.config,
      ...ids,
    }
  }
  throw invalidConfig(path, 'needs "package" (a bundled or installed plugin) or "url" with "sha256"')
}

function endpoint(value: unknown, path: string): { port: number; host: string } {
  const o = readObject(value, path)
  unknownKeys(o, ['port', 'host'], path)
  return {
    port: readInteger(o.port, `${path}.port`, 0, 65_535),
    host: o.host === undefined ? OPERATOR_DEFAULTS.host : readString(o.host, `${path}.host`),
  }
}

function jsonRpcEndpoint(value: unknown, path: string): JsonRpcEndpointConfig {
  const o = readObject(value, path)
  const { port, host } = endpoint({ port: o.port, ...(o.host !== undefined ? { host: o.host } : {}) }, path)
  unknownKeys(o, ['port', 'host', 'customMessages', 'maxBodyBytes', 'maxInFlight'], path)
  const customMessages = optional(o, 'customMessages', path, readBoolean)
  const maxBodyBytes = optional(o, 'maxBodyBytes', path, (v, p) => readInteger(v, p, 1, 1024 * 1024))
  const maxInFlight = optional(o, 'maxInFlight', path, (v, p) => readInteger(v, p, 1, 10_000))
  return {
    port,
    host,
    ...(customMessages !== undefined ? { customMessages } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
  }
}

function metricsSection(value: unknown, path: string): MetricsConfig {
  const o = readObject(value, path)
  unknownKeys(o, ['port', 'host', 'exportUrl', 'exportIntervalMs'], path)
  // Othentic's --metrics.export-url may come alone: pushed, not served
  if (o.port === undefined && o.exportUrl === undefined)
    throw invalidConfig(path, 'needs "port" or "exportUrl"')
  const port = optional(o, 'port', path, (v, p) => readInteger(v, p, 0, 65_535))
  const exportUrl = optional(o, 'exportUrl', path, (v, p) => readUrl(v, p, /^https?:/i))
  const exportIntervalMs = optional(o, 'exportIntervalMs', path, (v, p) => readInteger(v, p, 100, 3_600_000))
  return {
    ...(port !== undefined ? { port } : {}),
    host: o.host === undefined ? OPERATOR_DEFAULTS.host : readString(o.host, `${path}.host`),
    ...(exportUrl !== undefined ? { exportUrl } : {}),
    ...(exportIntervalMs !== undefined ? { exportIntervalMs } : {}),
  }
}

/** Checks a parsed config file, fills the defaults; throws OPERATOR_INVALID_CONFIG naming the first bad field. */
export function parseOperatorConfig(value: unknown): OperatorConfig {
  const root = readObject(value, 'config')
  unknownKeys(
    root,
    [
      'version',
      'network',
      'roles',
      'chain',
      'p2p',
      'election',
      'attester',
      'aggregator',
      'performer',
      'plugins',
      'faucet',
      'registration',
      'dataDir',
      'jsonRpc',
      'metrics',
      '$schema',
    ],
    'config',
  )
  if (root.version !== CONFIG_VERSION) throw invalidConfig('config.version', `must be ${CONFIG_VERSION}`)
  const network = readObject(root.network, 'config.network')
  const kind = network.kind
  if (kind !== 'local' && kind !== 'testnet' && kind !== 'mainnet')
    throw invalidConfig('config.network.kind', 'must be local, testnet or mainnet')

  const roles =
    root.roles === undefined
      ? [...OPERATOR_DEFAULTS.roles]
      : readList(root.roles, 'config.roles', (v, p) => {
          if (!ROLES.includes(v as Role)) throw invalidConfig(p, `must be one of ${ROLES.join(', ')}`)
          return v as Role
        })
  if (roles.length === 0) throw invalidConfig('config.roles', 'must name at least one role')

  const chain = readObject(root.chain, 'config.chain')
  unknownKeys(
    chain,
    [
      'rpcUrl',
      'chainId',
      'attestationCenter',
      'explorerTxUrl',
      'pollingIntervalMs',
      'rpcRetryCount',
      'rpcTimeoutMs',
      'outcomeWindowMs',
      'rpcUrls',
      'backend',
      'fromBlock',
    ],
    'config.chain',
  )
  const d = OPERATOR_DEFAULTS
  const explorerTxUrl = optional(chain, 'explorerTxUrl', 'config.chain', (v, p) => readUrl(v, p, /^https?:/i))

  const p2p = readObject(root.p2p, 'config.p2p')
  unknownKeys(
    p2p,
    [
      'bootstrap',
      'listen',
      'announce',
      'bootstrapNode',
      'topicNamespace',
      'auth',
      'allowLocalNetworks',
      'iceServers',
      'maxDirectPeers',
      'relayTarget',
      'validation',
      'receiveVotes',
    ],
    'config.p2p',
  )
  const bootstrap = readList(p2p.bootstrap, 'config.p2p.bootstrap', (v, p) => readMultiaddr(v, p, true))
  const validation = p2p.validation ?? d.p2p.validation
  if (validation !== 'full' && validation !== 'light' && validation !== 'structural')
    throw invalidConfig('config.p2p.validation', 'must be full, light or structural')
  const allowLocalNetworks = optional(p2p, 'allowLocalNetworks', 'config.p2p', readBoolean)
  const maxDirectPeers = optional(p2p, 'maxDirectPeers', 'config.p2p', (v, p) => readInteger(v, p, 0, 16))
  const relayTarget = optional(p2p, 'relayTarget', 'config.p2p', (v, p) => readInteger(v, p, 1, 8))
  const announce = optional(p2p, 'announce', 'config.p2p', (v, p) =>
    readList(v, p, (a, q) => readMultiaddr(a, q, false)),
  )
  const bootstrapNode = optional(p2p, 'bootstrapNode', 'config.p2p', readBoolean)
  const receiveVotes = optional(p2p, 'receiveVotes', 'config.p2p', readBoolean)
  const needsVotes = roles.filter((r) => ROLES_THAT_READ_VOTES.includes(r))
  if (receiveVotes === false && needsVotes.length > 0)
    throw invalidConfig('config.p2p.receiveVotes', `must stay true for the ${needsVotes.join(' and ')} role`)

  const election = section(root, 'election')
  unknownKeys(election, ['windowBlocks', 'roundRobinInterval', 'performerIds'], 'config.election')
  const performerIds = optional(election, 'performerIds', 'config.election', (v, p) => {
    const ids = readList(v, p, (x, q) => readInteger(x, q, 1, 2 ** 31))
    if (ids.length === 0) throw invalidConfig(p, 'must list at least one operator id (or be left out)')
    return ids
  })

  const attester = section(root, 'attester')
  unknownKeys(attester, ['validateTimeoutMs', 'validationService'], 'config.attester')
  const validationService = optional(attester, 'validationService', 'config.attester', (v, p) => {
    const o = readObject(v, p)
    unknownKeys(o, ['url'], p)
    return { url: readUrl(o.url, `${p}.url`, /^https?:/i) }
  })
  const aggregator = section(root, 'aggregator')
  unknownKeys(
    aggregator,
    ['delayMs', 'latencyMs', 'latencyBlocks', 'internalTasks', 'internalTasksIntervalMs'],
    'config.aggregator',
  )
  const performer = section(root, 'performer')
  unknownKeys(
    performer,
    ['taskDefinitionIds', 'signatureType', 'intervalMs', 'everyBlocks'],
    'config.performer',
  )
  const signatureType = performer.signatureType ?? d.performer.signatureType
  if (signatureType !== 'ecdsa' && signatureType !== 'bls')
    throw invalidConfig('config.performer.signatureType', 'must be ecdsa or bls')
  const performerDefinitions =
    performer.taskDefinitionIds === undefined
      ? []
      : readList(performer.taskDefinitionIds, 'config.performer.taskDefinitionIds', (v, p) =>
          readInteger(v, p, 0, 0xffff),
        )
  if (roles.includes('performer') && performerDefinitions.length === 0)
    throw invalidConfig(
      'config.performer.taskDefinitionIds',
      'a performer needs the task definitions it runs',
    )

  const faucetOf = (v: unknown, p: string) => ({
    url: readUrl(readObject(v, p).url, `${p}.url`, /^https?:/i, true),
  })
  const faucet =
    optional(root, 'faucet', 'config', faucetOf) ?? optional(root, 'registration', 'config', faucetOf)
  const backend = chain.backend ?? d.chain.backend
  if (backend !== 'wisp' && backend !== 'othentic' && backend !== 'auto')
    throw invalidConfig('config.chain.backend', 'must be wisp, othentic or auto')
  const rpcUrl = readUrl(chain.rpcUrl, 'config.chain.rpcUrl', /^(https?|wss?):/i)
  const rpcUrls = optional(chain, 'rpcUrls', 'config.chain', (v, p) => {
    const urls = readList(v, p, (u, q) => readUrl(u, q, /^(https?|wss?):/i))
    if (urls.length === 0) throw invalidConfig(p, 'must list at least one URL (or be left out)')
    if (urls[0] !== rpcUrl) throw invalidConfig(p, 'must start with config.chain.rpcUrl')
    return urls
  })
  const dataDir = optional(root, 'dataDir', 'config', (v, p) => readString(v, p))
  const jsonRpc = optional(root, 'jsonRpc', 'config', jsonRpcEndpoint)
  const metrics = optional(root, 'metrics', 'config', metricsSection)

  return {
    version: CONFIG_VERSION,
    network: { name: readString(network.name, 'config.network.name'), kind },
    roles: [...new Set(roles)],
    chain: {
      rpcUrl,
      ...(rpcUrls && rpcUrls.length > 1 ? { rpcUrls } : {}),
      backend,
      fromBlock: integerOr(chain, 'fromBlock', 'config.chain', 0, Number.MAX_SAFE_INTEGER, d.chain.fromBlock),
      chainId: readInteger(chain.chainId, 'config.chain.chainId', 1, Number.MAX_SAFE_INTEGER),
      attestationCenter: readString(
        chain.attestationCenter,
        'config.chain.attestationCenter',
        ADDRESS_RE,
        'a 0x-prefixed 20-byte address',
      ) as Address,
      ...(explorerTxUrl ? { explorerTxUrl } : {}),
      pollingIntervalMs: integerOr(
        chain,
        'pollingIntervalMs',
        'config.chain',
        50,
        600_000,
        d.chain.pollingIntervalMs,
      ),
      rpcRetryCount: integerOr(chain, 'rpcRetryCount', 'config.chain', 0, 20, d.chain.rpcRetryCount),
      rpcTimeoutMs: integerOr(chain, 'rpcTimeoutMs', 'config.chain', 100, 600_000, d.chain.rpcTimeoutMs),
      outcomeWindowMs: integerOr(
        chain,
        'outcomeWindowMs',
        'config.chain',
        0,
        600_000,
        d.chain.outcomeWindowMs,
      ),
    },
    p2p: {
      bootstrap,
      listen:
        p2p.listen === undefined
          ? []
          : readList(p2p.listen, 'config.p2p.listen', (v, p) => readMultiaddr(v, p, false)),
      ...(announce !== undefined ? { announce } : {}),
      ...(bootstrapNode !== undefined ? { bootstrapNode } : {}),
      topicNamespace:
        optional(p2p, 'topicNamespace', 'config.p2p', (v, p) =>
          readString(v, p, /^[a-z0-9._-]{1,64}$/i, 'letters, digits, . _ - (at most 64)'),
        ) ?? d.p2p.topicNamespace,
      auth: optional(p2p, 'auth', 'config.p2p', readBoolean) ?? d.p2p.auth,
      ...(allowLocalNetworks !== undefined ? { allowLocalNetworks } : {}),
      iceServers:
        optional(p2p, 'iceServers', 'config.p2p', (v, p) =>
          readList(v, p, (s, q) => {
            const o = readObject(s, q)
            const urls = Array.isArray(o.urls)
              ? readList(o.urls, `${q}.urls`, (u, r) => readString(u, r))
              : readString(o.urls, `${q}.urls`)
            return {
              urls,
              ...(typeof o.username === 'string' ? { username: o.username } : {}),
              ...(typeof o.credential === 'string' ? { credential: o.credential } : {}),
            }
          }),
        ) ?? [],
      ...(maxDirectPeers !== undefined ? { maxDirectPeers } : {}),
      ...(relayTarget !== undefined ? { relayTarget } : {}),
      validation,
      ...(receiveVotes !== undefined ? { receiveVotes } : {}),
    },
    election: {
      windowBlocks: integerOr(
        election,
        'windowBlocks',
        'config.election',
        0,
        1_000_000,
        d.election.windowBlocks,
      ),
      roundRobinInterval: integerOr(
        election,
        'roundRobinInterval',
        'config.election',
        1,
        1_000_000,
        d.election.roundRobinInterval,
      ),
      ...(performerIds ? { performerIds } : {}),
    },
    attester: {
      validateTimeoutMs: integerOr(
        attester,
        'validateTimeoutMs',
        'config.attester',
        10,
        600_000,
        d.attester.validateTimeoutMs,
      ),
      ...(validationService ? { validationService } : {}),
    },
    aggregator: {
      delayMs: integerOr(aggregator, 'delayMs', 'config.aggregator', 0, 600_000, d.aggregator.delayMs),
      latencyMs: integerOr(aggregator, 'latencyMs', 'config.aggregator', 0, 600_000, d.aggregator.latencyMs),
      latencyBlocks: integerOr(
        aggregator,
        'latencyBlocks',
        'config.aggregator',
        0,
        10_000,
        d.aggregator.latencyBlocks,
      ),
      internalTasks:
        optional(aggregator, 'internalTasks', 'config.aggregator', readBoolean) ?? d.aggregator.internalTasks,
      // Othentic's minimum is a minute; timers cannot wait longer than 2^31 - 1 ms
      internalTasksIntervalMs: integerOr(
        aggregator,
        'internalTasksIntervalMs',
        'config.aggregator',
        60_000,
        2_147_483_647,
        d.aggregator.internalTasksIntervalMs,
      ),
    },
    performer: {
      taskDefinitionIds: performerDefinitions,
      signatureType,
      intervalMs: integerOr(
        performer,
        'intervalMs',
        'config.performer',
        0,
        86_400_000,
        d.performer.intervalMs,
      ),
      everyBlocks: integerOr(
        performer,
        'everyBlocks',
        'config.performer',
        0,
        1_000_000,
        d.performer.everyBlocks,
      ),
    },
    plugins: root.plugins === undefined ? [] : readList(root.plugins, 'config.plugins', plugin),
    ...(faucet ? { faucet } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(jsonRpc ? { jsonRpc } : {}),
    ...(metrics ? { metrics } : {}),
  }
}

/** Parses JSON text first: a syntax error is OPERATOR_INVALID_CONFIG too, naming `source`. */
export function parseOperatorConfigText(text: string, source = 'config'): OperatorConfig {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new OperatorError('OPERATOR_INVALID_CONFIG', `${source}: not JSON (${(cause as Error).message})`, {
      details: { path: 'config' },
      cause,
    })
  }
  return parseOperatorConfig(value)
}
