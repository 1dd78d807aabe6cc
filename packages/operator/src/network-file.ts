// The network file: what a deployment is (chain, RPCs, contracts, backend, task definitions and
// their plugins, relays). `wisp deploy` writes it, the devnet writes it the same way, and every
// runtime loads it — the CLI by path, the web app and the edge worker by URL — then adds what is
// the operator's own (roles, keys, ports) to get its operator config.
import {
  ADDRESS_RE,
  type Address,
  type OperatorConfigInput,
  type PluginSpec,
  parseOperatorConfig,
  type Role,
  readInteger,
  readList,
  readMultiaddr,
  readObject,
  readString,
  readUrl,
} from './config.js'
import { OperatorError } from './errors.js'

export const NETWORK_FILE_VERSION = 1

/** Which contracts the network runs on: Wisp's own, or an Othentic deployment (read differently). */
export type ChainBackendName = 'wisp' | 'othentic'

export interface NetworkTaskDefinition {
  id: number
  name: string
  /** the plugin that validates and performs its tasks (as in the operator config, without ids) */
  plugin?: { package: string; hosts?: string[] } | { url: string; sha256: string }
  /** the plugin's config for this definition */
  config?: unknown
}

export interface NetworkFile {
  version: 1
  name: string
  kind: 'local' | 'testnet' | 'mainnet'
  chainId: number
  /** the first is used; the others take over when it fails or rate-limits */
  rpcUrls: string[]
  backend: ChainBackendName
  contracts: {
    attestationCenter: Address
    /** Wisp: the OperatorRegistry (`obls()`); Othentic: the OBLS */
    operatorRegistry?: Address
    avsTreasury?: Address
    /** Wisp: the token staked to register */
    stakeToken?: Address
    rewardToken?: Address
  }
  /** the block the contracts were deployed at: logs are scanned from here */
  deploymentBlock: number
  taskDefinitions: NetworkTaskDefinition[]
  /** bootstrap relays, multiaddrs ending in /p2p/<peer id> */
  relays: string[]
  /** a block explorer's transaction page with `{tx}` in it */
  explorerTxUrl?: string
  /** local networks: an endpoint that funds a new operator (relative to the page or absolute) */
  faucet?: { url: string }
}

function invalid(path: string, message: string): OperatorError {
  return new OperatorError('OPERATOR_INVALID_NETWORK_FILE', `${path}: ${message}`, { details: { path } })
}

/** The config readers throw OPERATOR_INVALID_CONFIG; here the same problem is the network file's. */
function asNetworkError<T>(read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof OperatorError && err.code === 'OPERATOR_INVALID_CONFIG') {
      const path = (err.details as { path?: string } | undefined)?.path ?? 'network'
      throw new OperatorError('OPERATOR_INVALID_NETWORK_FILE', err.message, { details: { path }, cause: err })
    }
    throw err
  }
}

function only(o: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(o))
    if (!known.includes(key)) throw invalid(`${path}.${key}`, `unknown field (known: ${known.join(', ')})`)
}

const address = (v: unknown, p: string) =>
  readString(v, p, ADDRESS_RE, 'a 0x-prefixed 20-byte address') as Address

/** Checks a parsed network file; throws OPERATOR_INVALID_NETWORK_FILE naming the first bad field. */
export function parseNetworkFile(value: unknown): NetworkFile {
  return asNetworkError(() => {
    const root = readObject(value, 'network')
    only(
      root,
      [
        '$schema',
        'version',
        'name',
        'kind',
        'chainId',
        'rpcUrls',
        'backend',
        'contracts',
        'deploymentBlock',
        'taskDefinitions',
        'relays',
        'explorerTxUrl',
        'faucet',
      ],
      'network',
    )
    if (root.version !== NETWORK_FILE_VERSION)
      throw invalid('network.version', `must be ${NETWORK_FILE_VERSION}`)
    const kind = root.kind
    if (kind !== 'local' && kind !== 'testnet' && kind !== 'mainnet')
      throw invalid('network.kind', 'must be local, testnet or mainnet')
    const backend = root.backend
    if (backend !== 'wisp' && backend !== 'othentic')
      throw invalid('network.backend', 'must be wisp or othentic')
    const rpcUrls = readList(root.rpcUrls, 'network.rpcUrls', (v, p) => readUrl(v, p, /^(https?|wss?):/i))
    if (rpcUrls.length === 0) throw invalid('network.rpcUrls', 'must list at least one JSON-RPC URL')

    const c = readObject(root.contracts, 'network.contracts')
    only(
      c,
      ['attestationCenter', 'operatorRegistry', 'avsTreasury', 'stakeToken', 'rewardToken'],
      'network.contracts',
    )
    const contracts: NetworkFile['contracts'] = {
      attestationCenter: address(c.attestationCenter, 'network.contracts.attestationCenter'),
    }
    for (const key of ['operatorRegistry', 'avsTreasury', 'stakeToken', 'rewardToken'] as const) {
      if (c[key] !== undefined) contracts[key] = address(c[key], `network.contracts.${key}`)
    }

    const seen = new Set<number>()
    const taskDefinitions = readList(root.taskDefinitions ?? [], 'network.taskDefinitions', (v, p) => {
      const d = readObject(v, p)
      only(d, ['id', 'name', 'plugin', 'config'], p)
      const id = readInteger(d.id, `${p}.id`, 0, 0xffff)
      if (seen.has(id)) throw invalid(`${p}.id`, `task definition ${id} is listed twice`)
      seen.add(id)
      const out: NetworkTaskDefinition = { id, name: readString(d.name, `${p}.name`) }
      if (d.plugin !== undefined) out.plugin = pluginRef(d.plugin, `${p}.plugin`)
      if (d.config !== undefined) {
        if (out.plugin === undefined) throw invalid(`${p}.config`, 'a config needs a plugin to give it to')
        out.config = d.config
      }
      return out
    })

    const relays = readList(root.relays ?? [], 'network.relays', (v, p) => readMultiaddr(v, p, true))
    const file: NetworkFile = {
      version: NETWORK_FILE_VERSION,
      name: readString(root.name, 'network.name'),
      kind,
      chainId: readInteger(root.chainId, 'network.chainId', 1, Number.MAX_SAFE_INTEGER),
      rpcUrls,
      backend,
      contracts,
      deploymentBlock: readInteger(
        root.deploymentBlock,
        'network.deploymentBlock',
        0,
        Number.MAX_SAFE_INTEGER,
      ),
      taskDefinitions,
      relays,
    }
    if (root.explorerTxUrl !== undefined)
      file.explorerTxUrl = readUrl(root.explorerTxUrl, 'network.explorerTxUrl', /^https?:/i)
    if (root.faucet !== undefined) {
      const f = readObject(root.faucet, 'network.faucet')
      only(f, ['url'], 'network.faucet')
      if (kind !== 'local') throw invalid('network.faucet', 'only a local network has a faucet')
      file.faucet = { url: readUrl(f.url, 'network.faucet.url', /^https?:/i, true) }
    }
    return file
  })
}

function pluginRef(value: unknown, path: string): NonNullable<NetworkTaskDefinition['plugin']> {
  const o = readObject(value, path)
  if (o.package !== undefined) {
    only(o, ['package', 'hosts'], path)
    const hosts =
      o.hosts === undefined ? undefined : readList(o.hosts, `${path}.hosts`, (h, q) => readString(h, q))
    return { package: readString(o.package, `${path}.package`), ...(hosts ? { hosts } : {}) }
  }
  if (o.url !== undefined) {
    only(o, ['url', 'sha256'], path)
    return {
      url: readUrl(o.url, `${path}.url`, /^https?:/i, true),
      sha256: readString(o.sha256, `${path}.sha256`, /^(0x)?[0-9a-fA-F]{64}$/, 'a hex SHA-256'),
    }
  }
  throw invalid(path, 'needs "package" or "url" with "sha256"')
}

/** JSON text → network file; a syntax error names `source`. */
export function parseNetworkFileText(text: string, source = 'network file'): NetworkFile {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new OperatorError(
      'OPERATOR_INVALID_NETWORK_FILE',
      `${source}: not JSON (${(cause as Error).message})`,
      {
        details: { path: 'network' },
        cause,
      },
    )
  }
  return parseNetworkFile(value)
}

/** The part of fetch used here (the package builds without DOM types). */
export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>

/** Node's readFile, imported only when a path is loaded (browsers and workerd never get here). */
async function readFileWithNode(path: string): Promise<string> {
  const fs = 'node:fs/promises'
  const { readFile } = (await import(/* @vite-ignore */ fs)) as {
    readFile: (p: string, encoding: 'utf8') => Promise<string>
  }
  return readFile(path, 'utf8')
}

/**
 * Loads a network file by URL (any runtime with fetch) or, in Node, by path. A file that cannot
 * be read is OPERATOR_NETWORK_FILE_UNREADABLE naming it; one that does not parse,
 * OPERATOR_INVALID_NETWORK_FILE naming the field.
 */
export async function loadNetworkFile(
  location: string,
  components: { fetch?: FetchLike; readFile?: (path: string) => Promise<string> } = {},
): Promise<NetworkFile> {
  const isUrl = /^https?:\/\//i.test(location)
  let text: string
  try {
    if (isUrl) {
      const fetchFn = components.fetch ?? (globalThis as { fetch?: FetchLike }).fetch
      if (fetchFn === undefined) throw new Error('this runtime has no fetch')
      const res = await fetchFn(location)
      if (!res.ok) throw new Error(`HTTP ${res.status}`)
      text = await res.text()
    } else {
      const readFile = components.readFile ?? readFileWithNode
      text = await readFile(location)
    }
  } catch (cause) {
    throw new OperatorError(
      'OPERATOR_NETWORK_FILE_UNREADABLE',
      `cannot read the network file ${location}: ${(cause as Error).message.split('\n')[0]}`,
      { details: { location }, cause },
    )
  }
  return parseNetworkFileText(text, location)
}

/** What is the operator's own, on top of the network file. */
export interface NetworkOverrides {
  roles?: Role[]
  /** replaces the file's relays */
  bootstrap?: string[]
  /** replaces the file's RPC list */
  rpcUrls?: string[]
  /** the rest of the operator config (p2p, performer, attester, ports, dataDir …) */
  config?: Partial<Omit<OperatorConfigInput, 'version' | 'network' | 'chain'>> & {
    chain?: Partial<OperatorConfigInput['chain']>
  }
}

/**
 * The operator config for this network: chain, backend and RPCs from the file, relays as
 * bootstrap peers, one plugin entry per task definition that names one (same plugin, same config
 * → one entry serving those ids). Checked by parseOperatorConfig (OPERATOR_INVALID_CONFIG).
 */
export function operatorConfigFromNetwork(network: NetworkFile, overrides: NetworkOverrides = {}) {
  const rpcUrls = overrides.rpcUrls ?? network.rpcUrls
  const plugins: PluginSpec[] = []
  for (const d of network.taskDefinitions) {
    if (d.plugin === undefined) continue
    const config = d.config ?? {}
    const same = plugins.find(
      (p) =>
        JSON.stringify('package' in p ? p.package : p.url) ===
          JSON.stringify('package' in d.plugin! ? d.plugin.package : d.plugin!.url) &&
        JSON.stringify(p.config) === JSON.stringify(config),
    )
    if (same) same.taskDefinitionIds = [...(same.taskDefinitionIds ?? []), d.id]
    else plugins.push({ ...d.plugin, config, taskDefinitionIds: [d.id] } as PluginSpec)
  }
  const { chain: chainOverrides, p2p, ...rest } = overrides.config ?? {}
  return parseOperatorConfig({
    version: 1,
    network: { name: network.name, kind: network.kind },
    ...(overrides.roles ? { roles: overrides.roles } : {}),
    ...rest,
    chain: {
      rpcUrl: rpcUrls[0],
      ...(rpcUrls.length > 1 ? { rpcUrls } : {}),
      chainId: network.chainId,
      attestationCenter: network.contracts.attestationCenter,
      backend: network.backend,
      fromBlock: network.deploymentBlock,
      ...(network.explorerTxUrl ? { explorerTxUrl: network.explorerTxUrl } : {}),
      ...chainOverrides,
    },
    p2p: { ...p2p, bootstrap: overrides.bootstrap ?? p2p?.bootstrap ?? network.relays },
    plugins: [...plugins, ...(rest.plugins ?? [])],
    ...(network.faucet && rest.faucet === undefined ? { faucet: network.faucet } : {}),
  })
}
