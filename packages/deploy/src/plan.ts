// The deployment plan: what to deploy and how to set it up, as a JSON file (README.md documents
// every field). Parsed strictly: an unknown or malformed field is DEPLOY_INVALID_PLAN naming its
// path (`plan.taskDefinitions[1].rewards.attesters`), a plugin this runtime does not bundle is
// DEPLOY_UNKNOWN_PLUGIN, a plugin config its schema refuses is DEPLOY_INVALID_PLAN.
import { BUNDLED_PLUGINS, createBundledPlugin } from '@wisp/operator'
import { parsePluginConfig } from '@wisp/plugin-sdk'
import { type Address, getAddress, isAddress, keccak256, stringToHex } from 'viem'
import { DeployError } from './errors.js'

export const PLAN_VERSION = 1

/** An address, or `"deployer"` for the key that deploys. */
export type AddressOrDeployer = Address | 'deployer'

export type TokenPlan =
  | { deploy: { name: string; symbol: string; mint: Array<{ to: AddressOrDeployer; amount: bigint }> } }
  | { address: Address }

export interface SlashingPlan {
  enabled: boolean
  stakePercentageBps: number
  eject: boolean
}

export const SLASHING_CONDITIONS = ['doubleAttestation', 'incorrectAttestation', 'rejectedTask'] as const
export type SlashingConditionName = (typeof SLASHING_CONDITIONS)[number]

export interface TaskDefinitionPlan {
  name: string
  plugin?: { package: string; hosts?: string[] } | { url: string; sha256: string }
  config?: unknown
  rewards: { attesters: bigint; performer: bigint; aggregator: bigint }
  /** last block at which tasks are accepted; 0 = never expires */
  blockExpiry: bigint
  disputePeriodBlocks: bigint
  minimumVotingPower: bigint
  restrictedAttesterIds: number[]
  maximumNumberOfAttesters: number
  rejectedTaskSlashing: boolean
  incorrectAttestationSlashing: boolean
}

export interface DeploymentPlan {
  version: 1
  network: {
    name: string
    kind: 'local' | 'testnet' | 'mainnet'
    explorerTxUrl?: string
    faucet?: { url: string }
  }
  /** the chain the plan is for; --chain-id must agree when both are given */
  chainId?: number
  stakeToken: TokenPlan
  rewardToken: TokenPlan
  staking: { multiplier: bigint; maxEffectiveBalance: bigint; withdrawalDelayBlocks?: bigint }
  /** reward tokens put in the AvsTreasury: minted when the plan deploys the token, else transferred */
  treasuryFunding: bigint
  /** who governs at the end; when not the deployer, the deployer hands over and renounces */
  governance: AddressOrDeployer
  roles: {
    ejectors: AddressOrDeployer[]
    slashers: AddressOrDeployer[]
    paymentRequests: AddressOrDeployer[]
    oblsSharesSyncer?: AddressOrDeployer
  }
  openAggregator: boolean
  challengerRewardFee: bigint
  slashing: Partial<Record<SlashingConditionName, SlashingPlan>>
  taskDefinitions: TaskDefinitionPlan[]
  relays: string[]
  /** blocks to wait after each step's block (1 = the block itself) */
  confirmations: number
}

function invalid(path: string, message: string): DeployError {
  return new DeployError('DEPLOY_INVALID_PLAN', `${path}: ${message}`, { details: { path } })
}

type Obj = Record<string, unknown>

function object(v: unknown, path: string, known: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(path, 'must be an object')
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) throw invalid(`${path}.${key}`, `unknown field (known: ${known.join(', ')})`)
  }
  return v as Obj
}

function string(v: unknown, path: string, pattern?: RegExp, what?: string): string {
  if (typeof v !== 'string' || v.length === 0) throw invalid(path, 'must be a non-empty string')
  if (pattern && !pattern.test(v)) throw invalid(path, `must be ${what ?? pattern.source}`)
  return v
}

function boolean(v: unknown, path: string, fallback: boolean): boolean {
  if (v === undefined) return fallback
  if (typeof v !== 'boolean') throw invalid(path, 'must be true or false')
  return v
}

function integer(v: unknown, path: string, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    throw invalid(path, `must be an integer from ${min} to ${max}`)
  return v
}

function list<T>(v: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (v === undefined) return []
  if (!Array.isArray(v)) throw invalid(path, 'must be a list')
  return v.map((x, i) => item(x, `${path}[${i}]`))
}

const UINT256_MAX = 2n ** 256n - 1n

/**
 * A token amount or count in base units: a JSON integer (safe range) or a decimal string, with an
 * optional exponent (`"1000e18"` = 1000 tokens of 18 decimals). JSON numbers cannot hold wei.
 */
export function parseAmount(v: unknown, path: string, fallback?: bigint): bigint {
  if (v === undefined && fallback !== undefined) return fallback
  let value: bigint | undefined
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) value = BigInt(v)
  if (typeof v === 'string') {
    const m = /^(\d+)(?:e(\d{1,2}))?$/.exec(v.replace(/_/g, ''))
    if (m) value = BigInt(m[1]!) * 10n ** BigInt(m[2] ?? '0')
  }
  if (value === undefined || value > UINT256_MAX)
    throw invalid(path, 'must be a non-negative integer amount ("1000e18" or a decimal string)')
  return value
}

function address(v: unknown, path: string): Address {
  if (typeof v !== 'string' || !isAddress(v, { strict: false }))
    throw invalid(path, 'must be a 0x-prefixed 20-byte address')
  return getAddress(v)
}

function addressOrDeployer(v: unknown, path: string): AddressOrDeployer {
  return v === 'deployer' ? 'deployer' : address(v, path)
}

function token(v: unknown, path: string, defaults: { name: string; symbol: string }): TokenPlan {
  if (v === undefined) return { deploy: { ...defaults, mint: [] } }
  const o = object(v, path, ['deploy', 'address'])
  if (o.address !== undefined) {
    if (o.deploy !== undefined) throw invalid(path, 'takes "deploy" or "address", not both')
    return { address: address(o.address, `${path}.address`) }
  }
  const d = object(o.deploy ?? {}, `${path}.deploy`, ['name', 'symbol', 'mint'])
  return {
    deploy: {
      name: d.name === undefined ? defaults.name : string(d.name, `${path}.deploy.name`),
      symbol: d.symbol === undefined ? defaults.symbol : string(d.symbol, `${path}.deploy.symbol`),
      mint: list(d.mint, `${path}.deploy.mint`, (m, p) => {
        const e = object(m, p, ['to', 'amount'])
        return { to: addressOrDeployer(e.to, `${p}.to`), amount: parseAmount(e.amount, `${p}.amount`) }
      }),
    },
  }
}

function slashing(v: unknown, path: string): SlashingPlan {
  const o = object(v, path, ['enabled', 'stakePercentageBps', 'eject'])
  return {
    enabled: boolean(o.enabled, `${path}.enabled`, true),
    stakePercentageBps: integer(o.stakePercentageBps, `${path}.stakePercentageBps`, 0, 10_000),
    eject: boolean(o.eject, `${path}.eject`, false),
  }
}

/** Checks the plugin and its config as the runtimes will: bundled package, config valid for its schema. */
function plugin(
  v: unknown,
  config: unknown,
  path: string,
): { plugin: TaskDefinitionPlan['plugin']; config?: unknown } {
  const o = object(v, `${path}.plugin`, ['package', 'hosts', 'url', 'sha256'])
  if (o.url !== undefined) {
    return {
      plugin: {
        url: string(o.url, `${path}.plugin.url`, /^https?:\/\//i, 'an http(s) URL'),
        sha256: string(o.sha256, `${path}.plugin.sha256`, /^(0x)?[0-9a-fA-F]{64}$/, 'a hex SHA-256'),
      },
      ...(config === undefined ? {} : { config }),
    }
  }
  const pkg = string(o.package, `${path}.plugin.package`)
  if (!BUNDLED_PLUGINS.has(pkg)) {
    throw new DeployError(
      'DEPLOY_UNKNOWN_PLUGIN',
      `${path}.plugin.package: ${pkg} is not a plugin Wisp bundles (bundled: ${[...BUNDLED_PLUGINS.keys()].join(', ')})`,
      { details: { path: `${path}.plugin.package`, package: pkg } },
    )
  }
  const hosts =
    o.hosts === undefined ? undefined : list(o.hosts, `${path}.plugin.hosts`, (h, p) => string(h, p))
  try {
    const built = createBundledPlugin({ package: pkg, config: config ?? {}, ...(hosts ? { hosts } : {}) })
    parsePluginConfig(built.manifest, config ?? {})
  } catch (cause) {
    throw invalid(`${path}.config`, (cause as Error).message)
  }
  return {
    plugin: { package: pkg, ...(hosts ? { hosts } : {}) },
    ...(config === undefined ? {} : { config }),
  }
}

function definition(v: unknown, path: string): TaskDefinitionPlan {
  const o = object(v, path, [
    'name',
    'plugin',
    'config',
    'rewards',
    'blockExpiry',
    'disputePeriodBlocks',
    'minimumVotingPower',
    'restrictedAttesterIds',
    'maximumNumberOfAttesters',
    'rejectedTaskSlashing',
    'incorrectAttestationSlashing',
  ])
  const rewards = object(o.rewards ?? {}, `${path}.rewards`, ['attesters', 'performer', 'aggregator'])
  if (o.config !== undefined && o.plugin === undefined)
    throw invalid(`${path}.config`, 'a config needs a plugin to give it to')
  return {
    name: string(o.name, `${path}.name`),
    ...(o.plugin === undefined ? {} : plugin(o.plugin, o.config, path)),
    rewards: {
      attesters: parseAmount(rewards.attesters, `${path}.rewards.attesters`, 0n),
      performer: parseAmount(rewards.performer, `${path}.rewards.performer`, 0n),
      aggregator: parseAmount(rewards.aggregator, `${path}.rewards.aggregator`, 0n),
    },
    blockExpiry: parseAmount(o.blockExpiry, `${path}.blockExpiry`, 0n),
    disputePeriodBlocks: parseAmount(o.disputePeriodBlocks, `${path}.disputePeriodBlocks`, 0n),
    minimumVotingPower: parseAmount(o.minimumVotingPower, `${path}.minimumVotingPower`, 0n),
    restrictedAttesterIds: list(o.restrictedAttesterIds, `${path}.restrictedAttesterIds`, (id, p) =>
      integer(id, p, 1, Number.MAX_SAFE_INTEGER),
    ),
    maximumNumberOfAttesters: integer(
      o.maximumNumberOfAttesters,
      `${path}.maximumNumberOfAttesters`,
      0,
      1_000_000,
      0,
    ),
    rejectedTaskSlashing: boolean(o.rejectedTaskSlashing, `${path}.rejectedTaskSlashing`, false),
    incorrectAttestationSlashing: boolean(
      o.incorrectAttestationSlashing,
      `${path}.incorrectAttestationSlashing`,
      false,
    ),
  }
}

/** Checks a parsed plan; throws DEPLOY_INVALID_PLAN / DEPLOY_UNKNOWN_PLUGIN naming the first bad field. */
export function parseDeploymentPlan(value: unknown): DeploymentPlan {
  const o = object(value, 'plan', [
    '$schema',
    'version',
    'network',
    'chainId',
    'stakeToken',
    'rewardToken',
    'staking',
    'treasuryFunding',
    'governance',
    'roles',
    'openAggregator',
    'challengerRewardFee',
    'slashing',
    'taskDefinitions',
    'relays',
    'confirmations',
  ])
  if (o.version !== PLAN_VERSION) throw invalid('plan.version', `must be ${PLAN_VERSION}`)
  const n = object(o.network, 'plan.network', ['name', 'kind', 'explorerTxUrl', 'faucet'])
  const kind = n.kind ?? 'testnet'
  if (kind !== 'local' && kind !== 'testnet' && kind !== 'mainnet')
    throw invalid('plan.network.kind', 'must be local, testnet or mainnet')
  const network: DeploymentPlan['network'] = { name: string(n.name, 'plan.network.name'), kind }
  if (n.explorerTxUrl !== undefined) {
    network.explorerTxUrl = string(
      n.explorerTxUrl,
      'plan.network.explorerTxUrl',
      /^https?:\/\/.*\{tx\}/i,
      'an http(s) URL with {tx}',
    )
  }
  if (n.faucet !== undefined) {
    if (kind !== 'local') throw invalid('plan.network.faucet', 'only a local network has a faucet')
    const f = object(n.faucet, 'plan.network.faucet', ['url'])
    network.faucet = { url: string(f.url, 'plan.network.faucet.url') }
  }
  const staking = object(o.staking ?? {}, 'plan.staking', [
    'multiplier',
    'maxEffectiveBalance',
    'withdrawalDelayBlocks',
  ])
  const multiplier = parseAmount(staking.multiplier, 'plan.staking.multiplier', 10n ** 18n)
  if (multiplier === 0n) throw invalid('plan.staking.multiplier', 'must be positive')
  const roles = object(o.roles ?? {}, 'plan.roles', [
    'ejectors',
    'slashers',
    'paymentRequests',
    'oblsSharesSyncer',
  ])
  const slash = object(o.slashing ?? {}, 'plan.slashing', SLASHING_CONDITIONS)
  const slashingPlans: DeploymentPlan['slashing'] = {}
  for (const name of SLASHING_CONDITIONS) {
    if (slash[name] !== undefined) slashingPlans[name] = slashing(slash[name], `plan.slashing.${name}`)
  }
  const definitions = list(o.taskDefinitions, 'plan.taskDefinitions', definition)
  const names = new Set<string>()
  definitions.forEach((d, i) => {
    if (names.has(d.name)) throw invalid(`plan.taskDefinitions[${i}].name`, `"${d.name}" is listed twice`)
    names.add(d.name)
  })
  const plan: DeploymentPlan = {
    version: PLAN_VERSION,
    network,
    stakeToken: token(o.stakeToken, 'plan.stakeToken', { name: 'Wisp Stake', symbol: 'WSTK' }),
    rewardToken: token(o.rewardToken, 'plan.rewardToken', { name: 'Wisp Reward', symbol: 'WRWD' }),
    staking: {
      multiplier,
      maxEffectiveBalance: parseAmount(staking.maxEffectiveBalance, 'plan.staking.maxEffectiveBalance', 0n),
      ...(staking.withdrawalDelayBlocks === undefined
        ? {}
        : {
            withdrawalDelayBlocks: parseAmount(
              staking.withdrawalDelayBlocks,
              'plan.staking.withdrawalDelayBlocks',
            ),
          }),
    },
    treasuryFunding: parseAmount(o.treasuryFunding, 'plan.treasuryFunding', 0n),
    governance: o.governance === undefined ? 'deployer' : addressOrDeployer(o.governance, 'plan.governance'),
    roles: {
      ejectors: list(roles.ejectors, 'plan.roles.ejectors', addressOrDeployer),
      slashers: list(roles.slashers, 'plan.roles.slashers', addressOrDeployer),
      paymentRequests: list(roles.paymentRequests, 'plan.roles.paymentRequests', addressOrDeployer),
      ...(roles.oblsSharesSyncer === undefined
        ? {}
        : { oblsSharesSyncer: addressOrDeployer(roles.oblsSharesSyncer, 'plan.roles.oblsSharesSyncer') }),
    },
    openAggregator: boolean(o.openAggregator, 'plan.openAggregator', false),
    challengerRewardFee: parseAmount(o.challengerRewardFee, 'plan.challengerRewardFee', 0n),
    slashing: slashingPlans,
    taskDefinitions: definitions,
    relays: list(o.relays, 'plan.relays', (r, p) =>
      string(r, p, /^\/(ip4|ip6|dns|dns4|dns6)\/.+\/p2p\/\w+$/, 'a multiaddr ending in /p2p/<peer id>'),
    ),
    confirmations: integer(o.confirmations, 'plan.confirmations', 1, 1000, 1),
  }
  if (o.chainId !== undefined) plan.chainId = integer(o.chainId, 'plan.chainId', 1, Number.MAX_SAFE_INTEGER)
  // real money: the plan itself says which chain, so a wrong --rpc cannot deploy it elsewhere
  if (kind === 'mainnet' && plan.chainId === undefined)
    throw invalid('plan.chainId', 'a mainnet plan must name its chain')
  return plan
}

/** JSON text → plan; a syntax error names `source`. */
export function parseDeploymentPlanText(text: string, source = 'plan'): DeploymentPlan {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new DeployError('DEPLOY_INVALID_PLAN', `${source}: not JSON (${(cause as Error).message})`, {
      details: { path: 'plan' },
      cause,
    })
  }
  return parseDeploymentPlan(value)
}

const json = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}` : (v as unknown)))

/**
 * The plan's identity for resuming: everything that goes on chain. The network's name, relays,
 * explorer, confirmations and the plugins' configs (off chain) may change between runs.
 */
export function planHash(plan: DeploymentPlan): `0x${string}` {
  const { network: _n, relays: _r, confirmations: _c, taskDefinitions, ...onChain } = plan
  return keccak256(
    stringToHex(
      json({ ...onChain, taskDefinitions: taskDefinitions.map(({ plugin: _p, config: _g, ...d }) => d) }),
    ),
  )
}
