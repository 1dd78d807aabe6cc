// Everything about the flags that can be checked before a node opens anything: values and their
// ranges, keys (not zero, on the curve's range, the keystore readable and decrypted), multiaddrs,
// URLs, the plugin packages (imported, their config checked against their schema), and the ports
// the node will listen on (bound once and released). Each problem is one coded error naming its
// flag: NODE_BAD_FLAGS, or NODE_BAD_KEY for key material. No database, peer or server is opened
// here, and no secret is ever echoed back.
import { readFile } from 'node:fs/promises'
import { createServer, isIP } from 'node:net'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import {
  loadNetworkFile,
  type NetworkFile,
  type OperatorConfig,
  operatorConfigFromNetwork,
  parseOperatorConfigText,
} from '@wisp/operator'
import { multiaddrProblem } from '@wisp/p2p'
import { type PassphraseOptions, readPassphrase } from './commands/prompt.js'
import { NodeError } from './errors.js'
import type { FlagName, FlagValues, NodeCommand } from './flags.js'
import type { LogLevel } from './logger.js'
import { keysFromEcdsa, keysFromKeystore, type OperatorKeys } from './signers.js'

type Hex = `0x${string}`

/** What the flags of a node command (attester | aggregator | performer) ask for, checked. */
export interface NodePlan {
  command: NodeCommand
  /** --config: the operator config file the flags override */
  base?: OperatorConfig
  keys: OperatorKeys
  chain: { rpcUrl: string; attestationCenter: Hex; chainId?: number }
  p2p: { bootstrap: string[]; listen: string[]; announce: string[] }
  dataDir: string
  jsonRpcPort?: number
  metricsPort?: number
  /** --host: where JSON-RPC and metrics listen (default: the config's, else loopback) */
  serverHost?: string
  /** --avs-webapi */
  validationServiceUrl?: string
  /** `package` is what to import (a file URL for a ./path); `id` is the plugin's manifest id */
  plugins: Array<{ package: string; id: string; config: unknown }>
  performer: {
    taskDefinitionIds: number[]
    signatureType: 'ecdsa' | 'bls'
    intervalMs: number
    everyBlocks: number
  }
  aggregatorDelayMs: number
  /** --json-rpc.custom-message-enabled (Othentic's grammar; Wisp's always answers) */
  customMessages?: boolean
  /** --aggregator.latency-ms / --aggregator.latency-blocks: the latency rule's bound */
  aggregatorLatency: { latencyMs?: number; latencyBlocks?: number }
  /** --internal-tasks / INTERNAL_TASKS (aggregator) */
  internalTasks: boolean
  /** --json-rpc.max-body-bytes / --json-rpc.max-in-flight */
  jsonRpcLimits: { maxBodyBytes?: number; maxInFlight?: number }
  /** --metrics.export-url: a Prometheus Pushgateway */
  metricsExportUrl?: string
  logLevel: LogLevel
  /** one line each, for stderr: the node starts anyway */
  warnings: string[]
}

export interface RelayPlan {
  listen: string[]
  /** --peer: other relays to federate with */
  peers: string[]
  dataDir: string
  logLevel: LogLevel
}

export interface PreflightContext {
  env: Record<string, string | undefined>
  cwd: string
  /** how a keystore's passphrase is read (default: --passphrase-file, WISP_PASSPHRASE, or the terminal) */
  passphrase?: (options: PassphraseOptions) => Promise<string>
}

/** The passphrase from the process: the same rules as `wisp keystore` (commands/prompt.ts). */
function readPassphraseOf(context: PreflightContext) {
  return (options: PassphraseOptions) =>
    readPassphrase(
      {
        stdin: process.stdin,
        stdout: process.stdout,
        stderr: process.stderr,
        env: context.env,
        cwd: context.cwd,
      },
      options,
    )
}

function bad(message: string): never {
  throw new NodeError('NODE_BAD_FLAGS', message)
}
function badKey(message: string, cause?: unknown): never {
  throw new NodeError('NODE_BAD_KEY', message, cause === undefined ? {} : { cause })
}

const str = (values: FlagValues, name: FlagName) => values[name] as string | undefined
const list = (values: FlagValues, name: FlagName) => (values[name] as string[] | undefined) ?? []

/** `flag` is a flag's name (shown as --flag) or, for a value from the environment, its variable. */
const shown = (flag: string) => (/^[A-Z0-9_]+$/.test(flag) ? `${flag} (environment)` : `--${flag}`)

export function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    bad(`${shown(flag)} must be an integer from ${min} to ${max}, got "${value}"`)
  return n
}

function logLevelOf(values: FlagValues): LogLevel {
  const level = str(values, 'log-level') ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    bad(`--log-level must be debug, info, warn or error, got "${level}"`)
  return level as LogLevel
}

// secp256k1's group order: a private key is in [1, n)
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** A 0x-prefixed (or bare) 32-byte hex key in [1, n); never echoes the key. */
export function ecdsaKeyOf(value: string, flag: string): Hex {
  const hex = value.startsWith('0x') || value.startsWith('0X') ? value.slice(2) : value
  if (!/^[0-9a-fA-F]*$/.test(hex))
    badKey(`${shown(flag)} is not a private key: it must be 32 bytes of 0x-hex (it has non-hex characters)`)
  if (hex.length !== 64)
    badKey(
      `${shown(flag)} is not a private key: it must be 32 bytes of 0x-hex (64 digits), got ${hex.length}`,
    )
  const k = BigInt(`0x${hex}`)
  if (k === 0n) badKey(`${shown(flag)} is zero: not a valid secp256k1 private key`)
  if (k >= SECP256K1_N)
    badKey(`${shown(flag)} is not below the secp256k1 group order: not a valid private key`)
  return `0x${hex.toLowerCase()}`
}

function urlOf(value: string, flag: string, what: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    bad(`${shown(flag)} must be ${what}, got "${value}"`)
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return value
  if ((flag === 'chain-rpc' || flag.endsWith('_RPC')) && (url.protocol === 'ws:' || url.protocol === 'wss:'))
    bad(
      `${shown(flag)} ${value}: the node reaches the chain over HTTP(S) only; give the node's http(s):// endpoint`,
    )
  bad(`${shown(flag)} must be ${what}, got "${value}"`)
}

/** Parsed as libp2p will; a bootstrap address must name the relay's peer id. */
export function multiaddrOf(value: string, flag: string, needsPeerId: boolean): string {
  const problem = multiaddrProblem(value, needsPeerId)
  if (problem !== undefined) bad(`${shown(flag)} "${value}" ${problem}`)
  return value
}

/** undefined when `port` can be bound on `host` now; else why not. */
export function portProblem(port: number, host: string): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', (err: Error & { code?: string }) =>
      done(
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use`
          : err.code === 'EACCES'
            ? `port ${port} on ${host} needs privileges`
            : `port ${port} on ${host}: ${err.message}`,
      ),
    )
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(undefined)))
  })
}

/** The TCP port and host a listen multiaddr binds, when it names one. */
function listenPortOf(addr: string): { host: string; port: number } | undefined {
  const parts = multiaddr(addr).getComponents()
  const ip = parts.find((c) => c.name === 'ip4' || c.name === 'ip6')
  const tcp = parts.find((c) => c.name === 'tcp')
  if (ip?.value === undefined || tcp?.value === undefined || Number(tcp.value) === 0) return undefined
  return { host: ip.value, port: Number(tcp.value) }
}

async function checkListenPorts(addrs: string[]): Promise<void> {
  for (const addr of addrs) {
    const at = listenPortOf(addr)
    if (at === undefined) continue
    const problem = await portProblem(at.port, at.host)
    if (problem !== undefined) bad(`--p2p.listen ${addr}: ${problem}`)
  }
}

async function readPluginConfigs(value: string | undefined, cwd: string): Promise<Record<string, unknown>> {
  if (value === undefined) return {}
  let text = value
  let source = 'the value'
  if (value.startsWith('@')) {
    const path = value.slice(1)
    source = path
    try {
      text = await readFile(resolve(cwd, path), 'utf8')
    } catch (err) {
      const code = (err as { code?: string }).code
      bad(
        `--plugin-config ${value}: cannot read ${path} (${code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message)})`,
      )
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    bad(`--plugin-config: ${source} is not JSON (${(err as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    bad('--plugin-config must be a JSON object keyed by plugin id: {"<id>": {...}}')
  return parsed as Record<string, unknown>
}

const isPath = (s: string) => s.startsWith('.') || s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s)

/**
 * Imports each --plugin (bundled ones come from @wisp/operator's catalogue, like the node will),
 * checks its config against its schema, and warns about --plugin-config keys no plugin claims.
 */
async function loadPlugins(
  specifiers: string[],
  configs: Record<string, unknown>,
  cwd: string,
  warnings: string[],
): Promise<NodePlan['plugins']> {
  const seen = new Set<string>()
  const plugins: NodePlan['plugins'] = []
  if (specifiers.length > 0) {
    const [{ BUNDLED_PLUGINS, createBundledPlugin }, { loadPluginModule }, { parsePluginConfig }] =
      await Promise.all([import('@wisp/operator'), import('@wisp/core'), import('@wisp/plugin-sdk')])
    for (const specifier of specifiers) {
      if (seen.has(specifier)) bad(`--plugin ${specifier} is given twice`)
      seen.add(specifier)
      let target = specifier
      if (isPath(specifier)) {
        const path = resolve(cwd, specifier)
        try {
          await readFile(path)
        } catch {
          bad(`--plugin ${specifier}: no such file (${path})`)
        }
        target = pathToFileURL(path).href
      }
      let manifest: { id: string; configSchema: unknown }
      if (BUNDLED_PLUGINS.has(target)) {
        // the id of a bundled plugin is its package name; its hosts come from its config
        try {
          manifest = createBundledPlugin({ package: target, config: configs[target] ?? {} }).manifest
        } catch (err) {
          bad(`--plugin ${specifier}: ${(err as Error).message}`)
        }
      } else {
        try {
          manifest = (await loadPluginModule(target, (s) => import(s))).manifest
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause
          const missing =
            cause?.code === 'ERR_MODULE_NOT_FOUND' && (cause.message ?? '').includes(`'${specifier}'`)
          if (missing)
            bad(
              `--plugin ${specifier}: no such package (install it where @wisp/node is installed, or give a ./path)`,
            )
          bad(`--plugin ${specifier}: ${(err as Error).message}`)
        }
      }
      if (plugins.some((p) => p.id === manifest.id))
        bad(`--plugin ${specifier}: a plugin with id ${manifest.id} is already loaded`)
      const config = configs[manifest.id] ?? {}
      try {
        parsePluginConfig(manifest as Parameters<typeof parsePluginConfig>[0], config)
      } catch (err) {
        bad(`--plugin-config: ${(err as Error).message}`)
      }
      plugins.push({ package: target, id: manifest.id, config })
    }
  }
  const ids = plugins.map((p) => p.id)
  const unknown = Object.keys(configs).filter((key) => !ids.includes(key))
  if (unknown.length > 0)
    warnings.push(
      `--plugin-config key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} ` +
        `match${unknown.length > 1 ? '' : 'es'} no loaded plugin (loaded: ${ids.length > 0 ? ids.join(', ') : 'none'}); ` +
        'the config is keyed by plugin id: {"<id>": {...}}',
    )
  return plugins
}

/** --config: the operator config file; a bad field is a bad flag naming the file and the field. */
async function readOperatorConfig(file: string, cwd: string): Promise<OperatorConfig> {
  let text: string
  try {
    text = await readFile(resolve(cwd, file), 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    bad(`--config ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`)
  }
  try {
    return parseOperatorConfigText(text, file)
  } catch (err) {
    const message = (err as Error).message
    bad(`--config ${file}: ${message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message}`)
  }
}

/**
 * --network: the network file (path or URL) as this command's operator config. A performer runs
 * every definition the file gives a plugin to, unless --task-definition says otherwise.
 */
async function readNetworkConfig(
  location: string,
  command: NodeCommand,
  cwd: string,
): Promise<OperatorConfig> {
  const isUrl = /^https?:\/\//i.test(location)
  let network: NetworkFile
  try {
    network = await loadNetworkFile(isUrl ? location : resolve(cwd, location))
  } catch (err) {
    const message = (err as Error).message
    bad(message.includes(location) ? `--network: ${message}` : `--network ${location}: ${message}`)
  }
  await checkNetworkPlugins(network, location)
  const performed = network.taskDefinitions.filter((d) => d.plugin !== undefined).map((d) => d.id)
  try {
    return operatorConfigFromNetwork(network, {
      roles: [command],
      ...(command === 'performer' && performed.length > 0
        ? { config: { performer: { taskDefinitionIds: performed } } }
        : {}),
    })
  } catch (err) {
    bad(`--network ${location}: ${(err as Error).message}`)
  }
}

/**
 * Every plugin package the network file names is bundled or importable here; otherwise the node
 * could not validate (or perform) that definition's tasks. Names the file's field.
 */
async function checkNetworkPlugins(network: NetworkFile, location: string): Promise<void> {
  const { BUNDLED_PLUGINS } = await import('@wisp/operator')
  for (const [i, definition] of network.taskDefinitions.entries()) {
    const plugin = definition.plugin
    if (plugin === undefined || !('package' in plugin) || BUNDLED_PLUGINS.has(plugin.package)) continue
    try {
      await import(plugin.package)
    } catch {
      bad(
        `--network ${location}: network.taskDefinitions[${i}].plugin.package: ${plugin.package} is neither bundled ` +
          `(${[...BUNDLED_PLUGINS.keys()].join(', ')}) nor installed here`,
      )
    }
  }
}

/** Chains that Othentic's L1_CHAIN / L2_CHAIN name, by id; a number is taken as the id itself. */
const CHAIN_IDS_BY_NAME: Readonly<Record<string, number>> = Object.freeze({
  mainnet: 1,
  ethereum: 1,
  sepolia: 11_155_111,
  holesky: 17_000,
  hoodi: 560_048,
  base: 8453,
  'base-sepolia': 84_532,
  polygon: 137,
  amoy: 80_002,
  arbitrum: 42_161,
  'arbitrum-sepolia': 421_614,
  optimism: 10,
  'optimism-sepolia': 11_155_420,
  linea: 59_144,
  'linea-sepolia': 59_141,
  anvil: 31_337,
  hardhat: 31_337,
  localhost: 31_337,
})

function chainIdOfName(value: string, variable: string): string {
  const name = value.trim().toLowerCase()
  if (name.includes(','))
    bad(
      `${variable} (environment) "${value}" names several chains: a wisp node serves one; run one node per chain, each with its ${variable} and RPC`,
    )
  if (/^\d+$/.test(name)) return name
  const id = CHAIN_IDS_BY_NAME[name]
  if (id === undefined)
    bad(
      `${variable} (environment) "${value}" is not a chain wisp knows by name (${Object.keys(CHAIN_IDS_BY_NAME).join(', ')}); give its chain id as a number`,
    )
  return String(id)
}

/** Othentic's switches in the environment: true/1/yes or false/0/no/empty. */
function envSwitch(value: string | undefined, variable: string): boolean {
  const v = (value ?? '').trim().toLowerCase()
  if (['true', '1', 'yes'].includes(v)) return true
  if (['false', '0', 'no', ''].includes(v)) return false
  bad(`${variable} (environment) must be true or false, got "${value}"`)
}

/**
 * Othentic's environment variables, as the flags they stand for; a flag on the command line wins.
 * The chain (L2_RPC, else L1_RPC, with its *_CHAIN and ATTESTATION_CENTER_ADDRESS) is read only
 * when neither --network nor --config names one. `origin` maps each flag filled here to its
 * variable, so that a bad value is reported under the name the user gave it.
 */
export function environmentValues(
  command: NodeCommand,
  values: FlagValues,
  env: Record<string, string | undefined>,
): { values: FlagValues; origin: Partial<Record<FlagName, string>> } {
  const out: FlagValues = {}
  const origin: Partial<Record<FlagName, string>> = {}
  const take = (flag: FlagName, variable: string, value: string | boolean) => {
    out[flag] = value
    origin[flag] = variable
  }
  const set = (variable: string) => {
    const v = env[variable]?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  if (values['private-key'] === undefined && values.keystore === undefined && set('PRIVATE_KEY'))
    take('private-key', 'PRIVATE_KEY', set('PRIVATE_KEY')!)
  const fileGiven = values.network !== undefined || values.config !== undefined
  if (!fileGiven && values['chain-rpc'] === undefined) {
    const variable = set('L2_RPC') ? 'L2_RPC' : set('L1_RPC') ? 'L1_RPC' : undefined
    if (variable !== undefined) {
      take('chain-rpc', variable, set(variable)!)
      const chainVariable = variable === 'L2_RPC' ? 'L2_CHAIN' : 'L1_CHAIN'
      if (values['chain-id'] === undefined && set(chainVariable))
        take('chain-id', chainVariable, chainIdOfName(set(chainVariable)!, chainVariable))
    }
  }
  if (!fileGiven && values['attestation-center'] === undefined && set('ATTESTATION_CENTER_ADDRESS'))
    take('attestation-center', 'ATTESTATION_CENTER_ADDRESS', set('ATTESTATION_CENTER_ADDRESS')!)
  // Othentic's compose file gives every service one environment: only the aggregator runs them
  if (
    command === 'aggregator' &&
    values['internal-tasks'] === undefined &&
    envSwitch(env.INTERNAL_TASKS, 'INTERNAL_TASKS')
  )
    take('internal-tasks', 'INTERNAL_TASKS', true)
  return { values: out, origin }
}

/**
 * A bootstrap address given without its peer id (`/ip4/…/tcp/9876`) takes OTHENTIC_BOOTSTRAP_ID,
 * as Othentic's attesters do.
 */
function withBootstrapId(addr: string, env: Record<string, string | undefined>): string {
  const id = env.OTHENTIC_BOOTSTRAP_ID?.trim()
  if (!id || addr.includes('/p2p/')) return addr
  return `${addr.replace(/\/$/, '')}/p2p/${id}`
}

/** attester | aggregator | performer: every check, in the order a user can fix them. */
export async function preflightNode(
  command: NodeCommand,
  flags: FlagValues,
  context: PreflightContext,
): Promise<NodePlan> {
  const warnings: string[] = []
  const environment = environmentValues(command, flags, context.env)
  // the flags given win over the environment
  const values: FlagValues = { ...environment.values, ...flags }
  const source = (flag: FlagName): string =>
    flags[flag] === undefined ? (environment.origin[flag] ?? flag) : flag
  const logLevel = logLevelOf(values)

  // the operator config file, when given: what the flags do not say comes from it
  const configFlag = str(values, 'config')
  const networkFlag = str(values, 'network')
  if (configFlag !== undefined && networkFlag !== undefined)
    bad('give --network or --config, not both (an operator config already names its network)')
  const base =
    networkFlag !== undefined
      ? await readNetworkConfig(networkFlag, command, context.cwd)
      : configFlag === undefined
        ? undefined
        : await readOperatorConfig(configFlag, context.cwd)

  // values given, cheapest first
  const rpc = str(values, 'chain-rpc')
  const rpcUrl = rpc === undefined ? undefined : urlOf(rpc, source('chain-rpc'), 'an http(s):// URL')
  const center = str(values, 'attestation-center')
  if (center !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(center))
    bad(`${shown(source('attestation-center'))} must be a 0x-prefixed 20-byte address, got "${center}"`)
  const chainIdFlag = str(values, 'chain-id')
  const chainId =
    chainIdFlag === undefined ? undefined : integer(chainIdFlag, source('chain-id'), 1, 2 ** 53 - 1)
  const privateKey = str(values, 'private-key')
  const ecdsaKey = privateKey === undefined ? undefined : ecdsaKeyOf(privateKey, source('private-key'))
  const blsFlag = str(values, 'bls-private-key')
  const keystore = str(values, 'keystore')
  if (keystore !== undefined && blsFlag !== undefined)
    bad('--bls-private-key goes with --private-key, not with --keystore')
  const bootstrap = list(values, 'bootstrap').map((a) =>
    multiaddrOf(withBootstrapId(a, context.env), 'bootstrap', true),
  )
  const listen = list(values, 'p2p.listen').map((a) => multiaddrOf(a, 'p2p.listen', false))
  const announce = list(values, 'announced-addresses')
    .flatMap((a) => a.split(','))
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => multiaddrOf(a, 'announced-addresses', false))
  const limitOf = (flag: 'json-rpc.max-body-bytes' | 'json-rpc.max-in-flight', max: number) => {
    const v = str(values, flag)
    return v === undefined ? undefined : integer(v, flag, 1, max)
  }
  const maxBodyBytes = limitOf('json-rpc.max-body-bytes', 1024 * 1024)
  const maxInFlight = limitOf('json-rpc.max-in-flight', 10_000)
  const exportFlag = str(values, 'metrics.export-url')
  const metricsExportUrl =
    exportFlag === undefined ? undefined : urlOf(exportFlag, 'metrics.export-url', 'an http(s):// URL')
  const portOf = (flag: 'json-rpc' | 'metrics') => {
    const v = str(values, flag)
    return v === undefined ? undefined : integer(v, flag, 0, 65_535)
  }
  const hostFlag = str(values, 'host')
  if (hostFlag !== undefined && !isIP(hostFlag))
    bad(`--host must be an IP address to listen on (e.g. 127.0.0.1 or 0.0.0.0), got "${hostFlag}"`)
  const jsonRpcPort = portOf('json-rpc')
  const metricsPort = portOf('metrics')
  if (jsonRpcPort !== undefined && jsonRpcPort !== 0 && jsonRpcPort === metricsPort)
    bad(`--json-rpc and --metrics are both ${jsonRpcPort}: give them different ports`)
  const webapi = str(values, 'avs-webapi')
  const webapiPort = integer(str(values, 'avs-webapi-port') ?? '4002', 'avs-webapi-port', 1, 65_535)
  const validationServiceUrl =
    webapi === undefined
      ? undefined
      : withDefaultPort(urlOf(webapi, 'avs-webapi', 'an http(s):// URL'), webapiPort)
  const signatureType = str(values, 'signature-type') ?? base?.performer.signatureType ?? 'ecdsa'
  if (signatureType !== 'ecdsa' && signatureType !== 'bls')
    bad(`--signature-type must be ecdsa or bls, got "${signatureType}"`)
  const taskDefinitionIds = list(values, 'task-definition').map((v) =>
    integer(v, 'task-definition', 0, 0xffff),
  )
  const optionalInt = (flag: FlagName, max: number) => {
    const v = str(values, flag)
    return v === undefined ? 0 : integer(v, flag, 0, max)
  }
  const intervalMs = optionalInt('interval', 86_400_000)
  const everyBlocks = optionalInt('every-blocks', 1_000_000)
  const aggregatorDelayMs = optionalInt('delay', 600_000)
  const latencyOf = (flag: 'aggregator.latency-ms' | 'aggregator.latency-blocks', max: number) => {
    const v = str(values, flag)
    return v === undefined ? undefined : integer(v, flag, 0, max)
  }
  const latencyMs = latencyOf('aggregator.latency-ms', 600_000)
  const latencyBlocks = latencyOf('aggregator.latency-blocks', 10_000)

  // what must be there
  const chainRpc =
    rpcUrl ?? base?.chain.rpcUrl ?? bad('--chain-rpc is required (or --network / --config, or L2_RPC)')
  const chainCenter =
    center ??
    base?.chain.attestationCenter ??
    bad('--attestation-center is required (or --network / --config, or ATTESTATION_CENTER_ADDRESS)')
  const chainIdOrBase = chainId ?? base?.chain.chainId
  if ((privateKey === undefined) === (keystore === undefined))
    bad('give exactly one of --private-key and --keystore (or PRIVATE_KEY in the environment)')
  if (command === 'performer' && taskDefinitionIds.length === 0 && !base?.performer.taskDefinitionIds.length)
    bad('a performer needs --task-definition <id> (repeatable)')

  // files and key material
  let keys: OperatorKeys
  if (keystore !== undefined) {
    const path = resolve(context.cwd, keystore)
    try {
      await readFile(path)
    } catch (err) {
      const code = (err as { code?: string }).code
      badKey(`--keystore ${keystore}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`)
    }
    const passphrase = await (context.passphrase ?? readPassphraseOf(context))({
      purpose: `the keystore ${keystore}`,
      ...(str(values, 'passphrase-file') !== undefined
        ? { passphraseFile: str(values, 'passphrase-file')! }
        : {}),
    })
    try {
      keys = await keysFromKeystore(path, passphrase)
    } catch (err) {
      badKey(`--keystore ${keystore}: ${(err as Error).message}`, err)
    }
  } else {
    let bls: Hex | undefined
    if (blsFlag !== undefined) {
      const hex = blsFlag.startsWith('0x') ? blsFlag.slice(2) : blsFlag
      if (!/^[0-9a-fA-F]{64}$/.test(hex))
        badKey('--bls-private-key is not a BLS key: it must be 32 bytes of 0x-hex (64 digits)')
      bls = `0x${hex}`
    }
    try {
      keys = keysFromEcdsa(ecdsaKey!, bls)
    } catch (err) {
      badKey(`--bls-private-key is not a valid BLS secret key: ${(err as Error).message}`, err)
    }
  }
  const configs = await readPluginConfigs(str(values, 'plugin-config'), context.cwd)
  const plugins = await loadPlugins(list(values, 'plugin'), configs, context.cwd, warnings)
  if (
    command === 'attester' &&
    plugins.length === 0 &&
    !base?.plugins.length &&
    validationServiceUrl === undefined &&
    base?.attester.validationService === undefined
  )
    warnings.push('no --plugin and no --avs-webapi: this attester cannot validate any task')

  // last, closest to the start: the ports it will listen on are free now
  for (const [flag, port] of [
    ['json-rpc', jsonRpcPort],
    ['metrics', metricsPort],
  ] as const) {
    if (port === undefined || port === 0) continue
    const problem = await portProblem(port, hostFlag ?? base?.jsonRpc?.host ?? '127.0.0.1')
    if (problem !== undefined) bad(`--${flag} ${port}: ${problem}`)
  }
  await checkListenPorts(listen)

  return {
    command,
    ...(base ? { base } : {}),
    keys,
    chain: {
      rpcUrl: chainRpc,
      attestationCenter: chainCenter as Hex,
      ...(chainIdOrBase !== undefined ? { chainId: chainIdOrBase } : {}),
    },
    p2p: { bootstrap, listen, announce },
    dataDir: str(values, 'p2p.datadir') ?? base?.dataDir ?? `.wisp/${command}`,
    ...(jsonRpcPort !== undefined ? { jsonRpcPort } : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(hostFlag !== undefined ? { serverHost: hostFlag } : {}),
    ...(validationServiceUrl !== undefined ? { validationServiceUrl } : {}),
    plugins,
    performer: { taskDefinitionIds, signatureType, intervalMs, everyBlocks },
    aggregatorDelayMs,
    internalTasks: values['internal-tasks'] === true,
    aggregatorLatency: {
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(latencyBlocks !== undefined ? { latencyBlocks } : {}),
    },
    ...(values['json-rpc.custom-message-enabled'] === true ? { customMessages: true } : {}),
    jsonRpcLimits: {
      ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
      ...(maxInFlight !== undefined ? { maxInFlight } : {}),
    },
    ...(metricsExportUrl !== undefined ? { metricsExportUrl } : {}),
    logLevel,
    warnings,
  }
}

/** Othentic's --avs-webapi is a host: a URL that names no port gets --avs-webapi-port (4002). */
function withDefaultPort(url: string, port: number): string {
  // read the text, not new URL(): it hides an explicit :80 / :443 as the scheme's default
  const authority = /^(https?:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*))(:\d+)?/i.exec(url)
  if (authority === null || authority[2] !== undefined) return url
  return `${authority[1]}:${port}${url.slice(authority[1]!.length)}`
}

export const DEFAULT_RELAY_LISTEN = '/ip4/0.0.0.0/tcp/9090/ws'

export async function preflightRelay(values: FlagValues): Promise<RelayPlan> {
  const logLevel = logLevelOf(values)
  const given = list(values, 'p2p.listen').map((a) => multiaddrOf(a, 'p2p.listen', false))
  const listen = given.length > 0 ? given : [DEFAULT_RELAY_LISTEN]
  for (const addr of listen) {
    const at = listenPortOf(addr)
    if (at === undefined) continue
    const problem = await portProblem(at.port, at.host)
    if (problem !== undefined)
      bad(
        `${given.length > 0 ? `--p2p.listen ${addr}` : `the default listen address ${addr}`}: ${problem}` +
          (given.length > 0 ? '' : ' (choose another with --p2p.listen)'),
      )
  }
  const peers = list(values, 'peer').map((a) => multiaddrOf(a, 'peer', true))
  return { listen, peers, dataDir: str(values, 'p2p.datadir') ?? '.wisp/relay', logLevel }
}
