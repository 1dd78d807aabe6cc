// Worker bindings → a checked, plain configuration. Vars may arrive as strings (secrets and
// `wrangler secret`/`[vars]` strings) or already parsed (JSON `[vars]`); both are accepted.
// Secrets go into `EdgeSecrets`, never into `EdgeConfig`, so the config can be shown and logged.
import { type Address, getAddress, type Hex, isAddress } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import type { DurableObjectNamespace } from './cf.js'
import { EdgeError } from './errors.js'

/** The worker's bindings (wrangler.toml `[vars]`, secrets, the Durable Object namespace). */
export interface EdgeEnv {
  /** the Durable Object namespace of `EdgeAttesterObject` */
  ATTESTER: DurableObjectNamespace
  CHAIN_RPC_URL?: unknown
  CHAIN_ID?: unknown
  ATTESTATION_CENTER?: unknown
  /** relay multiaddrs: a JSON array, or separated by commas / whitespace */
  RELAYS?: unknown
  /** secret: the operator's ECDSA key; the BLS key is derived from it like Othentic's services do */
  OPERATOR_PRIVATE_KEY?: unknown
  /** secret: a raw 32-byte BLS key (big-endian), instead of the derivation */
  BLS_PRIVATE_KEY?: unknown
  /** the operator address, when only BLS_PRIVATE_KEY is given */
  OPERATOR_ADDRESS?: unknown
  /** JSON: [{ id, taskDefinitionIds?, config, hosts? }] — plugins bundled into this worker */
  PLUGINS?: unknown
  TOPIC_NAMESPACE?: unknown
  /** secret: 32-byte Ed25519 seed of the peer id; default: generated once, kept in the object */
  P2P_SEED?: unknown
  /** `full` (default): check every gossiped signature like any peer; `structural`: sizes and encodings only */
  P2P_VALIDATION?: unknown
  ELECTION_WINDOW_BLOCKS?: unknown
  ROUND_ROBIN_INTERVAL?: unknown
  VALIDATE_TIMEOUT_MS?: unknown
  /** alarm period that keeps the object (and its relay connection) alive */
  KEEPALIVE_MS?: unknown
  /** secret: bearer token of the /admin endpoints; they are off without it */
  ADMIN_TOKEN?: unknown
  LOG_LEVEL?: unknown
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface PluginBinding {
  /** package name of a bundled plugin, e.g. `@wisp/plugin-hash-chain` */
  id: string
  taskDefinitionIds?: number[]
  config: unknown
  /** fetch allow-list for plugins that fetch (price oracle); default: the hosts of the config's URLs */
  hosts?: string[]
}

export interface EdgeConfig {
  chain: { rpcUrl: string; chainId: number; attestationCenter: Address }
  relays: string[]
  topicNamespace: string
  /** the operator address (from the ECDSA key, or OPERATOR_ADDRESS) */
  operatorAddress: Address
  /** where the BLS key comes from */
  blsKey: 'derived-from-ecdsa' | 'raw'
  plugins: PluginBinding[]
  p2pValidation: 'full' | 'structural'
  electionWindowBlocks: bigint
  roundRobinInterval: bigint
  validateTimeoutMs: number
  keepAliveMs: number
  adminEnabled: boolean
  logLevel: LogLevel
}

export interface EdgeSecrets {
  ecdsaKey?: Hex
  blsKey?: Hex
  p2pSeed?: Hex
  adminToken?: string
}

export const DEFAULTS = Object.freeze({
  topicNamespace: 'othentic',
  p2pValidation: 'full' as const,
  electionWindowBlocks: 16n,
  roundRobinInterval: 1n,
  validateTimeoutMs: 10_000,
  keepAliveMs: 30_000,
  logLevel: 'info' as LogLevel,
})

const KEY_RE = /^0x[0-9a-fA-F]{64}$/
const MULTIADDR_RE =
  /^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d+\/(ws|wss|tls\/ws|tls\/sni\/[^/]+\/ws)\/p2p\/\w+$/

function invalid(name: string, message: string): EdgeError {
  return new EdgeError('EDGE_INVALID_CONFIG', `${name}: ${message}`, { details: { binding: name } })
}

function text(env: EdgeEnv, name: keyof EdgeEnv, required: true): string
function text(env: EdgeEnv, name: keyof EdgeEnv, required?: false): string | undefined
function text(env: EdgeEnv, name: keyof EdgeEnv, required = false): string | undefined {
  const value = env[name]
  if (value === undefined || value === null || value === '') {
    if (required) throw invalid(name, 'is required')
    return undefined
  }
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value !== 'string') throw invalid(name, 'must be a string')
  return value.trim()
}

function integer(env: EdgeEnv, name: keyof EdgeEnv, fallback: number, min: number, max: number): number {
  const raw = text(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw invalid(name, 'must be a non-negative integer')
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalid(name, `must be between ${min} and ${max}`)
  return n
}

function json(env: EdgeEnv, name: keyof EdgeEnv): unknown {
  const value = env[name]
  if (typeof value !== 'string') return value
  try {
    return JSON.parse(value)
  } catch {
    throw invalid(name, 'is not valid JSON')
  }
}

function secretKey(
  env: EdgeEnv,
  name: 'OPERATOR_PRIVATE_KEY' | 'BLS_PRIVATE_KEY' | 'P2P_SEED',
): Hex | undefined {
  const raw = text(env, name)
  if (raw === undefined) return undefined
  const hex = raw.startsWith('0x') ? raw : `0x${raw}`
  // the value is a secret: say what is wrong with it, never echo it
  if (!KEY_RE.test(hex)) throw invalid(name, 'must be 32 bytes of hex')
  return hex.toLowerCase() as Hex
}

export function parseRelays(value: unknown): string[] {
  let list: unknown
  if (Array.isArray(value)) list = value
  else if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      list = JSON.parse(value)
    } catch {
      throw invalid('RELAYS', 'is not valid JSON')
    }
  } else if (typeof value === 'string') list = value.split(/[\s,]+/).filter((s) => s.length > 0)
  else throw invalid('RELAYS', 'is required (one or more relay multiaddrs)')
  if (!Array.isArray(list) || list.length === 0) throw invalid('RELAYS', 'needs at least one relay multiaddr')
  return list.map((item, i) => {
    if (typeof item !== 'string' || !MULTIADDR_RE.test(item.trim())) {
      throw invalid(
        'RELAYS',
        `entry ${i} is not a WebSocket multiaddr with a peer id (/…/tcp/<port>/ws(s)/p2p/<id>)`,
      )
    }
    return item.trim()
  })
}

export function parsePlugins(value: unknown): PluginBinding[] {
  if (value === undefined || value === null || value === '') {
    // no default on purpose: validating with another config than the performer's would vote
    // "reject" on honest tasks, which is what incorrect-attestation slashing punishes
    throw invalid(
      'PLUGINS',
      'is required: which bundled plugins serve which task definitions, with their config',
    )
  }
  if (!Array.isArray(value) || value.length === 0) throw invalid('PLUGINS', 'must be a non-empty JSON array')
  return value.map((entry, i) => {
    const e = entry as Partial<PluginBinding> | null
    if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || e.id.length === 0) {
      throw invalid('PLUGINS', `entry ${i} needs an "id" (a bundled plugin's package name)`)
    }
    if (
      e.taskDefinitionIds !== undefined &&
      (!Array.isArray(e.taskDefinitionIds) ||
        !e.taskDefinitionIds.every((id) => Number.isInteger(id) && id >= 0 && id <= 0xffff))
    ) {
      throw invalid('PLUGINS', `entry ${i}: taskDefinitionIds must be uint16 integers`)
    }
    if (e.hosts !== undefined && (!Array.isArray(e.hosts) || !e.hosts.every((h) => typeof h === 'string'))) {
      throw invalid('PLUGINS', `entry ${i}: hosts must be strings`)
    }
    return {
      id: e.id,
      ...(e.taskDefinitionIds ? { taskDefinitionIds: [...e.taskDefinitionIds] } : {}),
      config: e.config ?? {},
      ...(e.hosts ? { hosts: [...e.hosts] } : {}),
    }
  })
}

/** Reads and checks every binding; throws EDGE_INVALID_CONFIG naming the first bad one. */
export function parseEdgeConfig(env: EdgeEnv): { config: EdgeConfig; secrets: EdgeSecrets } {
  const rpcUrl = text(env, 'CHAIN_RPC_URL', true)
  if (!/^https?:\/\//.test(rpcUrl)) throw invalid('CHAIN_RPC_URL', 'must be an http(s) URL')
  const chainId = integer(env, 'CHAIN_ID', -1, 1, Number.MAX_SAFE_INTEGER)
  if (chainId === -1) throw invalid('CHAIN_ID', 'is required')
  const center = text(env, 'ATTESTATION_CENTER', true)
  if (!isAddress(center, { strict: false })) throw invalid('ATTESTATION_CENTER', 'is not an address')

  const ecdsaKey = secretKey(env, 'OPERATOR_PRIVATE_KEY')
  const blsKey = secretKey(env, 'BLS_PRIVATE_KEY')
  const p2pSeed = secretKey(env, 'P2P_SEED')
  if (ecdsaKey === undefined && blsKey === undefined) {
    throw invalid('OPERATOR_PRIVATE_KEY', 'is required (or BLS_PRIVATE_KEY with OPERATOR_ADDRESS)')
  }
  let operatorAddress: Address
  const given = text(env, 'OPERATOR_ADDRESS')
  if (ecdsaKey !== undefined) {
    operatorAddress = privateKeyToAddress(ecdsaKey)
    if (
      given !== undefined &&
      (!isAddress(given, { strict: false }) || getAddress(given) !== operatorAddress)
    ) {
      throw invalid('OPERATOR_ADDRESS', 'does not match OPERATOR_PRIVATE_KEY')
    }
  } else {
    if (given === undefined || !isAddress(given, { strict: false })) {
      throw invalid('OPERATOR_ADDRESS', 'is required with BLS_PRIVATE_KEY (and must be an address)')
    }
    operatorAddress = getAddress(given)
  }

  const validation = text(env, 'P2P_VALIDATION') ?? DEFAULTS.p2pValidation
  if (validation !== 'full' && validation !== 'structural') {
    throw invalid('P2P_VALIDATION', 'must be "full" or "structural"')
  }
  const logLevel = text(env, 'LOG_LEVEL') ?? DEFAULTS.logLevel
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw invalid('LOG_LEVEL', 'must be debug, info, warn or error')
  }
  const topicNamespace = text(env, 'TOPIC_NAMESPACE') ?? DEFAULTS.topicNamespace
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(topicNamespace))
    throw invalid('TOPIC_NAMESPACE', 'must be 1–64 of [A-Za-z0-9_.-]')
  const adminToken = text(env, 'ADMIN_TOKEN')
  if (adminToken !== undefined && adminToken.length < 16)
    throw invalid('ADMIN_TOKEN', 'must be at least 16 characters')

  const config: EdgeConfig = {
    chain: { rpcUrl, chainId, attestationCenter: getAddress(center) },
    relays: parseRelays(env.RELAYS),
    topicNamespace,
    operatorAddress,
    blsKey: blsKey !== undefined ? 'raw' : 'derived-from-ecdsa',
    plugins: parsePlugins(json(env, 'PLUGINS')),
    p2pValidation: validation,
    electionWindowBlocks: BigInt(
      integer(env, 'ELECTION_WINDOW_BLOCKS', Number(DEFAULTS.electionWindowBlocks), 0, 1_000_000),
    ),
    roundRobinInterval: BigInt(
      integer(env, 'ROUND_ROBIN_INTERVAL', Number(DEFAULTS.roundRobinInterval), 1, 1_000_000),
    ),
    validateTimeoutMs: integer(env, 'VALIDATE_TIMEOUT_MS', DEFAULTS.validateTimeoutMs, 100, 600_000),
    keepAliveMs: integer(env, 'KEEPALIVE_MS', DEFAULTS.keepAliveMs, 1_000, 3_600_000),
    adminEnabled: adminToken !== undefined,
    logLevel: logLevel as LogLevel,
  }
  const secrets: EdgeSecrets = {
    ...(ecdsaKey ? { ecdsaKey } : {}),
    ...(blsKey ? { blsKey } : {}),
    ...(p2pSeed ? { p2pSeed } : {}),
    ...(adminToken ? { adminToken } : {}),
  }
  return { config, secrets }
}
