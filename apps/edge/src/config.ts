// Worker bindings → a checked, plain configuration. The operator config is ONE binding,
// `WISP_CONFIG`: the same JSON file a Node attester, a page and a Web Worker read (see
// @wisp/operator), given as a string or already parsed (a JSON `[vars]` entry). Secrets are
// separate bindings and go into `EdgeSecrets`, never into `EdgeConfig`; `shownConfig` is what the
// status may show of the config (no RPC URL path, no plugin configs: they can hold API keys).
import { LOG_LEVEL_RANK, type LogLevel } from '@wisp/interface'
import {
  BUNDLED_PLUGINS,
  type FetchLike,
  isUrlPlugin,
  loadNetworkFile,
  type NetworkFile,
  type OperatorConfig,
  OperatorError,
  operatorConfigFromNetwork,
  parseOperatorConfig,
} from '@wisp/operator'
import { type Address, getAddress, type Hex, isAddress } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import type { DurableObjectNamespace } from './cf.js'
import { EdgeError } from './errors.js'

/** The worker's bindings (wrangler.toml `[vars]`, secrets, the Durable Object namespace). */
export interface EdgeEnv {
  /** the Durable Object namespace of `EdgeAttesterObject` */
  ATTESTER: DurableObjectNamespace
  /** the operator config (JSON text or an object): chain, relays (`p2p.bootstrap`), plugins, election… */
  WISP_CONFIG?: unknown
  /** or: the URL of the network file `wisp deploy` wrote (fetched at start; instead of WISP_CONFIG) */
  WISP_NETWORK_URL?: unknown
  /** secret: the operator's ECDSA key; the BLS key is derived from it like Othentic's services do */
  OPERATOR_PRIVATE_KEY?: unknown
  /** secret: a raw 32-byte BLS key (big-endian), instead of the derivation */
  BLS_PRIVATE_KEY?: unknown
  /** the operator address, when only BLS_PRIVATE_KEY is given */
  OPERATOR_ADDRESS?: unknown
  /** secret: 32-byte Ed25519 seed of the peer id; default: generated once, kept in the object */
  P2P_SEED?: unknown
  /** alarm period that keeps the object (and its relay connection) alive */
  KEEPALIVE_MS?: unknown
  /** secret: bearer token of the /admin endpoints; they are off without it */
  ADMIN_TOKEN?: unknown
  LOG_LEVEL?: unknown
}

export type { LogLevel }

export interface EdgeConfig {
  /** the shared operator config (from WISP_CONFIG), checked for what an edge worker can run */
  operator: OperatorConfig
  /** the operator address (from the ECDSA key, or OPERATOR_ADDRESS) */
  operatorAddress: Address
  /** where the BLS key comes from */
  blsKey: 'derived-from-ecdsa' | 'raw'
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

/** The edge-only knobs' defaults; the operator config's are @wisp/operator's OPERATOR_DEFAULTS. */
export const DEFAULTS = Object.freeze({
  keepAliveMs: 30_000,
  logLevel: 'info' as LogLevel,
})

/**
 * Bindings of earlier versions whose values now live in WISP_CONFIG. A deployment that still sets
 * one is refused, naming the field to move it to, rather than silently running without it.
 */
export const MOVED_BINDINGS: Readonly<Record<string, string>> = Object.freeze({
  CHAIN_RPC_URL: 'chain.rpcUrl',
  CHAIN_ID: 'chain.chainId',
  ATTESTATION_CENTER: 'chain.attestationCenter',
  RELAYS: 'p2p.bootstrap',
  PLUGINS: 'plugins',
  TOPIC_NAMESPACE: 'p2p.topicNamespace',
  P2P_VALIDATION: 'p2p.validation',
  ELECTION_WINDOW_BLOCKS: 'election.windowBlocks',
  ROUND_ROBIN_INTERVAL: 'election.roundRobinInterval',
  VALIDATE_TIMEOUT_MS: 'attester.validateTimeoutMs',
})

const KEY_RE = /^0x[0-9a-fA-F]{64}$/
/** what workerd can dial: a WebSocket (ws or wss, also spelled tls/ws) with the relay's peer id */
const WEBSOCKET_MULTIADDR_RE =
  /^\/(ip4|ip6|dns|dns4|dns6)\/[^/]+\/tcp\/\d+\/(ws|wss|tls\/ws|tls\/sni\/[^/]+\/ws)\/p2p\/\w+$/

function invalid(name: string, message: string, path?: string): EdgeError {
  return new EdgeError('EDGE_INVALID_CONFIG', `${name}: ${path === undefined ? '' : `${path}: `}${message}`, {
    details: { binding: name, ...(path !== undefined ? { path } : {}) },
  })
}

function text(env: EdgeEnv, name: keyof EdgeEnv): string | undefined {
  const value = env[name]
  if (value === undefined || value === null || value === '') return undefined
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

/**
 * WISP_CONFIG → the operator config, checked by @wisp/operator (its errors name the field) and
 * then for what an edge worker can do: dial WebSockets only, run the attester role only, read the
 * chain over fetch, run the plugins bundled into it.
 */
export function parseWispConfig(value: unknown): OperatorConfig {
  const name = 'WISP_CONFIG'
  if (value === undefined || value === null || value === '') {
    throw invalid(name, 'is required: the operator config JSON (chain, p2p.bootstrap, plugins, …)')
  }
  let parsed = value
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value)
    } catch (cause) {
      throw new EdgeError('EDGE_INVALID_CONFIG', `${name}: is not JSON (${(cause as Error).message})`, {
        details: { binding: name, path: 'config' },
      })
    }
  }
  let config: OperatorConfig
  try {
    config = parseOperatorConfig(parsed)
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err
    // the operator's message already starts with the field path
    throw new EdgeError('EDGE_INVALID_CONFIG', `${name}: ${err.message}`, {
      details: { binding: name, ...err.details },
      cause: err,
    })
  }

  if (config.roles.length !== 1 || config.roles[0] !== 'attester') {
    throw invalid(
      name,
      'an edge worker runs the attester role only (leave roles out, or ["attester"])',
      'config.roles',
    )
  }
  if (!/^https?:\/\//i.test(config.chain.rpcUrl)) {
    throw invalid(name, 'must be an http(s) URL (the edge reads the chain over fetch)', 'config.chain.rpcUrl')
  }
  if (config.p2p.bootstrap.length === 0) {
    throw invalid(name, 'needs at least one relay: an edge worker only dials out', 'config.p2p.bootstrap')
  }
  config.p2p.bootstrap.forEach((address, i) => {
    if (!WEBSOCKET_MULTIADDR_RE.test(address)) {
      throw invalid(
        name,
        'workerd can only dial WebSockets: a relay address must be /…/tcp/<port>/ws (or /wss) /p2p/<peer id>',
        `config.p2p.bootstrap[${i}]`,
      )
    }
  })
  if (config.plugins.length === 0 && config.attester.validationService === undefined) {
    // no default on purpose: validating with another config than the performer's would vote
    // "reject" on honest tasks, which is what incorrect-attestation slashing punishes
    throw invalid(
      name,
      'needs the bundled plugins that serve the task definitions, with their config (or attester.validationService)',
      'config.plugins',
    )
  }
  config.plugins.forEach((spec, i) => {
    if (isUrlPlugin(spec)) {
      throw invalid(
        name,
        'the edge runs bundled plugins only (workerd compiles no code at run time)',
        `config.plugins[${i}].url`,
      )
    }
    if (!BUNDLED_PLUGINS.has(spec.package)) {
      throw invalid(
        name,
        `${spec.package} is not bundled into this worker (bundled: ${[...BUNDLED_PLUGINS.keys()].join(', ')})`,
        `config.plugins[${i}].package`,
      )
    }
  })
  return config
}

/**
 * WISP_NETWORK_URL → the network file, fetched (workerd has fetch). Unset: undefined, and the
 * config comes from WISP_CONFIG. An unreadable or invalid file is EDGE_INVALID_CONFIG naming it.
 */
export async function loadEdgeNetwork(env: EdgeEnv, fetchFn?: FetchLike): Promise<NetworkFile | undefined> {
  const url = text(env, 'WISP_NETWORK_URL')
  if (url === undefined) return undefined
  if (!/^https?:\/\//i.test(url)) throw invalid('WISP_NETWORK_URL', 'must be an http(s) URL')
  if (
    text(env, 'WISP_CONFIG') !== undefined ||
    (env.WISP_CONFIG !== undefined && typeof env.WISP_CONFIG === 'object')
  )
    throw invalid('WISP_NETWORK_URL', 'give WISP_NETWORK_URL or WISP_CONFIG, not both')
  try {
    return await loadNetworkFile(url, fetchFn ? { fetch: fetchFn } : {})
  } catch (err) {
    if (!(err instanceof OperatorError)) throw err
    throw new EdgeError('EDGE_INVALID_CONFIG', `WISP_NETWORK_URL: ${err.message}`, {
      details: { binding: 'WISP_NETWORK_URL', ...err.details },
      cause: err,
    })
  }
}

/**
 * Reads and checks every binding; throws EDGE_INVALID_CONFIG naming the first bad one (and field).
 * With a network file (loadEdgeNetwork), the operator config is derived from it.
 */
export function parseEdgeConfig(
  env: EdgeEnv,
  network?: NetworkFile,
): { config: EdgeConfig; secrets: EdgeSecrets } {
  for (const [binding, field] of Object.entries(MOVED_BINDINGS)) {
    if ((env as unknown as Record<string, unknown>)[binding] !== undefined) {
      throw invalid(binding, `is no longer read: set config.${field} in WISP_CONFIG instead`)
    }
  }
  let operator: OperatorConfig
  if (network === undefined) operator = parseWispConfig(env.WISP_CONFIG)
  else {
    let derived: OperatorConfig
    try {
      derived = operatorConfigFromNetwork(network, { roles: ['attester'] })
    } catch (err) {
      if (!(err instanceof OperatorError)) throw err
      throw invalid('WISP_NETWORK_URL', err.message)
    }
    try {
      operator = parseWispConfig(derived)
    } catch (err) {
      throw err instanceof EdgeError
        ? invalid('WISP_NETWORK_URL', err.message.replace(/^WISP_CONFIG: /, ''))
        : err
    }
  }

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

  const logLevel = text(env, 'LOG_LEVEL') ?? DEFAULTS.logLevel
  if (!(logLevel in LOG_LEVEL_RANK)) throw invalid('LOG_LEVEL', 'must be debug, info, warn or error')
  const adminToken = text(env, 'ADMIN_TOKEN')
  if (adminToken !== undefined && adminToken.length < 16)
    throw invalid('ADMIN_TOKEN', 'must be at least 16 characters')

  const config: EdgeConfig = {
    operator,
    operatorAddress,
    blsKey: blsKey !== undefined ? 'raw' : 'derived-from-ecdsa',
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

/** The host of a URL, or a placeholder (never the URL: its path or query may carry an API key). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return '<invalid url>'
  }
}

/**
 * What the status shows of the config: no RPC URL (its host only), no plugin configs, no TURN
 * credentials, no validation-service URL path — any of them may carry an API key.
 */
export function shownConfig(config: EdgeConfig) {
  const o = config.operator
  const service = o.attester.validationService
  return {
    operatorAddress: config.operatorAddress,
    blsKey: config.blsKey,
    keepAliveMs: config.keepAliveMs,
    adminEnabled: config.adminEnabled,
    logLevel: config.logLevel,
    operator: {
      network: o.network,
      roles: o.roles,
      chain: {
        rpcHost: hostOf(o.chain.rpcUrl),
        chainId: o.chain.chainId,
        attestationCenter: o.chain.attestationCenter,
        pollingIntervalMs: o.chain.pollingIntervalMs,
      },
      p2p: {
        bootstrap: o.p2p.bootstrap,
        topicNamespace: o.p2p.topicNamespace,
        auth: o.p2p.auth,
        validation: o.p2p.validation,
      },
      election: o.election,
      attester: {
        validateTimeoutMs: o.attester.validateTimeoutMs,
        ...(service ? { validationServiceHost: hostOf(service.url) } : {}),
      },
      plugins: o.plugins.map((p) => ({
        package: isUrlPlugin(p) ? p.url : p.package,
        ...(p.taskDefinitionIds ? { taskDefinitionIds: p.taskDefinitionIds } : {}),
      })),
    },
  }
}

export type ShownConfig = ReturnType<typeof shownConfig>
