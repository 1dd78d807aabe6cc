/// <reference types="node" />
// The relay's configuration: a JSON file, overridden by flags. Everything is validated here so a
// typo fails at start with a clear message instead of surfacing as a network oddity later.
import { readFileSync } from 'node:fs'
import { type NetworkFile, parseNetworkFileText } from '@wisp/operator'
import { multiaddrProblem } from '@wisp/p2p'
import type { Deployment, OperatorInfo, PartialRelayOptions } from '@wisp/p2p/node'
import { type Address, getAddress, hexToBytes, isHex } from 'viem'
import { RelayError, type RelayErrorCode } from './errors.js'

export interface RelayConfig {
  relay: PartialRelayOptions
  /** Where `GET /metrics` is served; off when undefined. */
  metrics?: { port: number; host: string }
  /**
   * Chain mode: operators, task definitions and announced outcomes read from the AttestationCenter,
   * so gossip is judged exactly as the nodes judge it. What a relay of a public network runs.
   */
  chain?: RelayChainConfig
  /** A static operator registry (a closed network without chain access): enables signature checks and auth. */
  operators?: OperatorInfo[]
  /** Known task definition ids; any id when absent. */
  definitions?: number[]
  /** Print one JSON line on start instead of prose. */
  json: boolean
}

export interface RelayChainConfig {
  rpcUrl: string
  /** fallbacks after rpcUrl (from a network file): a failing or rate-limiting RPC hands over */
  rpcUrls?: string[]
  /** which contracts (from a network file); default: asked from the AttestationCenter */
  backend?: 'wisp' | 'othentic'
  /** the deployment block: event logs are scanned from here */
  fromBlock?: number
  attestationCenter: Address
  /** the chain id the RPC must report (checked at start) */
  chainId?: number
  /** how long a gossiped TaskSubmitted may wait for its receipt (default 12 s, one slot) */
  outcomeWindowMs?: number
}

/** The file format: relay options plus the keys below, all optional. */
export interface ConfigFile extends Record<string, unknown> {
  metricsPort?: number
  chain?: { rpcUrl?: string; attestationCenter?: string; chainId?: number; outcomeWindowMs?: number }
  metricsHost?: string
  operators?: Array<{
    id: number
    address: string
    blsPublicKey: string
    votingPower?: string | number
    active?: boolean
  }>
  definitions?: number[]
}

const RELAY_KEYS = new Set([
  'topicNamespace',
  'deployments',
  'foreignDeployments',
  'auth',
  'customMessages',
  'dedupe',
  'scoring',
  'bootstrap',
  'seed',
  'listen',
  'announce',
  'dataDir',
  'maxReservations',
  'maxConnections',
  'inboundConnectionThreshold',
  'allow',
  'meshMaxPeers',
  'peers',
  'maxRelays',
  'announceEveryMs',
  'allowRelays',
])
const FILE_KEYS = new Set([...RELAY_KEYS, 'metricsPort', 'metricsHost', 'operators', 'definitions', 'chain'])

function invalid(message: string): RelayError {
  return new RelayError('RELAY_INVALID_CONFIG', message)
}

export function readConfigFile(path: string): ConfigFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new RelayError('RELAY_INVALID_CONFIG', `cannot read config file ${path}: ${String(cause)}`, {
      cause,
    })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(`config file ${path} must hold a JSON object`)
  }
  for (const key of Object.keys(parsed)) {
    if (!FILE_KEYS.has(key)) throw invalid(`unknown config key "${key}" in ${path}`)
  }
  return parsed as ConfigFile
}

/** The address keys of the file, and whether each address must end in the peer's id. */
const MULTIADDR_KEYS = { listen: false, announce: false, bootstrap: true, peers: true } as const

/**
 * `value` when libp2p can use it as a multiaddr, or a coded error naming the flag or key: libp2p's
 * own message names neither.
 */
export function checkMultiaddr(
  value: unknown,
  where: string,
  needsPeerId: boolean,
  code: RelayErrorCode = 'RELAY_INVALID_CONFIG',
): string {
  const problem = multiaddrProblem(value, needsPeerId)
  if (problem !== undefined) throw new RelayError(code, `${where} "${String(value)}" ${problem}`)
  return value as string
}

export function relayOptionsOf(file: ConfigFile): PartialRelayOptions {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(file)) if (RELAY_KEYS.has(key)) out[key] = value
  for (const [key, needsPeerId] of Object.entries(MULTIADDR_KEYS)) {
    const list = out[key]
    if (list === undefined) continue
    if (!Array.isArray(list)) throw invalid(`config "${key}" must be a list of multiaddrs`)
    for (const [i, a] of list.entries()) checkMultiaddr(a, `config "${key}"[${i}]`, needsPeerId)
  }
  const options = out as PartialRelayOptions
  if (options.deployments !== undefined) options.deployments = options.deployments.map(deployment)
  if (options.foreignDeployments !== undefined)
    options.foreignDeployments = options.foreignDeployments.map(deployment)
  return options
}

function deployment(d: Deployment): Deployment {
  if (!Number.isSafeInteger(d?.chainId) || d.chainId <= 0)
    throw invalid('a deployment needs a positive chainId')
  return { chainId: d.chainId, attestationCenter: address(d.attestationCenter, 'attestationCenter') }
}

function address(value: unknown, what: string): Address {
  try {
    return getAddress(String(value))
  } catch {
    throw invalid(`${what} is not an address: ${String(value)}`)
  }
}

export function operatorsOf(list: NonNullable<ConfigFile['operators']>): OperatorInfo[] {
  return list.map((op, i) => {
    if (!Number.isSafeInteger(op.id) || op.id < 1)
      throw invalid(`operators[${i}].id must be a positive integer`)
    if (!isHex(op.blsPublicKey) || op.blsPublicKey.length !== 2 + 256) {
      throw invalid(`operators[${i}].blsPublicKey must be 128 bytes of 0x-hex (uint256[4])`)
    }
    return {
      id: op.id,
      address: address(op.address, `operators[${i}].address`),
      blsPublicKey: hexToBytes(op.blsPublicKey),
      votingPower: BigInt(op.votingPower ?? 0),
      active: op.active ?? true,
    }
  })
}

/**
 * --network: chain mode from the network file `wisp deploy` wrote (its RPCs, AttestationCenter,
 * chain id, backend and deployment block). A file that cannot be read or does not parse is
 * RELAY_INVALID_CONFIG naming the file and the field.
 */
export function readNetworkFile(path: string): { chain: RelayChainConfig; relays: string[] } {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw invalid(
      `--network ${path}: cannot read it (${(cause as { code?: string }).code ?? (cause as Error).message})`,
    )
  }
  let network: NetworkFile
  try {
    network = parseNetworkFileText(text, path)
  } catch (cause) {
    const message = (cause as Error).message
    throw invalid(`--network ${message.startsWith(`${path}: `) ? message : `${path}: ${message}`}`)
  }
  return {
    chain: {
      rpcUrl: network.rpcUrls[0]!,
      ...(network.rpcUrls.length > 1 ? { rpcUrls: network.rpcUrls } : {}),
      attestationCenter: getAddress(network.contracts.attestationCenter),
      chainId: network.chainId,
      backend: network.backend,
      fromBlock: network.deploymentBlock,
    },
    relays: [...network.relays],
  }
}

/** The chain section, checked: an http(s) RPC URL, an address, a positive chain id. */
export function chainOf(value: {
  rpcUrl?: unknown
  attestationCenter?: unknown
  chainId?: unknown
  outcomeWindowMs?: unknown
}): RelayChainConfig {
  const rpcUrl = String(value.rpcUrl ?? '')
  if (!/^https?:\/\/\S+$/.test(rpcUrl)) throw invalid(`chain.rpcUrl must be an http(s) URL, got "${rpcUrl}"`)
  const attestationCenter = address(value.attestationCenter, 'chain.attestationCenter')
  const out: RelayChainConfig = { rpcUrl, attestationCenter }
  if (value.chainId !== undefined) {
    if (!Number.isSafeInteger(value.chainId) || (value.chainId as number) <= 0)
      throw invalid('chain.chainId must be a positive integer')
    out.chainId = value.chainId as number
  }
  if (value.outcomeWindowMs !== undefined) {
    if (!Number.isSafeInteger(value.outcomeWindowMs) || (value.outcomeWindowMs as number) < 0)
      throw invalid('chain.outcomeWindowMs must be a non-negative integer')
    out.outcomeWindowMs = value.outcomeWindowMs as number
  }
  return out
}
