// Registration from the operator's browser wallet (an injected EIP-1193 provider, window.ethereum):
// connect, put the wallet on the network's chain (switch, or add then switch), then send the stake
// (approve + depositStake) and registerAsOperator *from the wallet* through @wisp/chain's actions.
// The BLS key never leaves the signer worker: it answers with the proof of possession only. Loaded
// lazily by the register view, so none of this weighs on the attester's chunks. The same module
// asks a local network's faucet for ETH and stake tokens (its only one-click service).
import {
  executeOnboardingPlan,
  getRegistryAddress,
  isChainError,
  type OnboardingPlan,
  planOperatorRegistration,
  proofOfPossessionContext,
} from '@wisp/chain'
import { operatorRegistryAbi, testERC20Abi } from '@wisp/contracts'
import { WispError } from '@wisp/protocol'
import type { Remote } from 'comlink'
import {
  type Address,
  type Chain,
  createWalletClient,
  custom,
  defineChain,
  type EIP1193Provider,
  formatUnits,
  getAddress,
  isAddressEqual,
  parseUnits,
} from 'viem'
import type { FaucetResponse, WispWebConfig } from '../config.js'
import { unwrap } from '../signer/client.js'
import type { KeyProfile, SignerService } from '../signer/protocol.js'
import { chainClient } from './registration.js'

export type WalletErrorCode =
  | 'WALLET_NOT_FOUND'
  | 'WALLET_USER_REJECTED'
  | 'WALLET_NO_ACCOUNT'
  | 'WALLET_WRONG_ACCOUNT'
  | 'WALLET_WRONG_CHAIN'
  | 'WALLET_INSUFFICIENT_FUNDS'
  | 'WALLET_NO_STAKE'
  | 'WALLET_STEP_FAILED'
  | 'WALLET_FAUCET_FAILED'
  | 'WALLET_INVALID_AMOUNT'

export class WalletError extends WispError<WalletErrorCode> {
  constructor(
    code: WalletErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'WalletError' })
  }
}

/** The steps of a registration, in order (the page shows each one's state). */
export type RegistrationStep = 'approve' | 'deposit' | 'proof' | 'register'

export const STEP_LABELS: Record<RegistrationStep, string> = {
  proof: 'Proof of possession (signer worker)',
  approve: 'Approve the stake token for the registry',
  deposit: 'Deposit the stake',
  register: 'registerAsOperator',
}

export interface WalletSession {
  provider: EIP1193Provider
  /** every account the wallet shares with the page */
  accounts: Address[]
  /** the operator's address when the wallet holds it, else the wallet's first account */
  account: Address
  chainId: number
}

/** What the address holds and has staked; read from the network's RPC (not the wallet's). */
export interface Funding {
  registry: Address
  stakeToken: Address
  symbol: string
  decimals: number
  eth: bigint
  tokens: bigint
  staked: bigint
  allowance: bigint
}

type ProviderWindow = { ethereum?: EIP1193Provider }

/** The injected provider, or WALLET_NOT_FOUND. */
export function findProvider(): EIP1193Provider {
  const provider = (globalThis as ProviderWindow).ethereum
  if (provider === undefined || typeof provider.request !== 'function')
    throw new WalletError(
      'WALLET_NOT_FOUND',
      'no browser wallet found (window.ethereum): install one, or register from the CLI (`wisp operator register`)',
    )
  return provider
}

/** The EIP-1193 code of an error or of any of its causes (viem wraps the provider's error). */
function rpcCode(err: unknown): number | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown; data?: unknown } | undefined, i = 0;
    e && i < 8;
    i++
  ) {
    if (typeof e.code === 'number') return e.code
    // MetaMask mobile nests the real one
    const original = (e.data as { originalError?: { code?: unknown } } | undefined)?.originalError
    if (typeof original?.code === 'number') return original.code
    e = e.cause as typeof e
  }
  return undefined
}

function firstLine(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string }
  return (e.shortMessage ?? e.message ?? String(err)).split('\n')[0]!
}

function rejected(what: string, cause: unknown): WalletError {
  return new WalletError('WALLET_USER_REJECTED', `you rejected ${what} in the wallet`, { cause })
}

function chainOf(config: WispWebConfig): Chain {
  return defineChain({
    id: config.chain.chainId,
    name: config.network.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.chain.rpcUrl] } },
  })
}

async function chainIdOf(provider: EIP1193Provider): Promise<number> {
  return Number(await provider.request({ method: 'eth_chainId' }))
}

/** Asks the wallet for its accounts (it may show a prompt) and reads its chain. */
export async function connectWallet(operator: Address): Promise<WalletSession> {
  const provider = findProvider()
  let accounts: Address[]
  try {
    accounts = (await provider.request({ method: 'eth_requestAccounts' })).map((a) => getAddress(a))
  } catch (err) {
    if (rpcCode(err) === 4001) throw rejected('the connection', err)
    throw new WalletError('WALLET_NO_ACCOUNT', `the wallet did not share an account: ${firstLine(err)}`, {
      cause: err,
    })
  }
  if (accounts.length === 0) throw new WalletError('WALLET_NO_ACCOUNT', 'the wallet shared no account')
  const account = accounts.find((a) => isAddressEqual(a, operator)) ?? accounts[0]!
  return { provider, accounts, account, chainId: await chainIdOf(provider) }
}

/** Re-reads the accounts the page may use (no prompt) and the chain, after a wallet event. */
export async function refreshSession(session: WalletSession, operator: Address): Promise<WalletSession> {
  const accounts = (await session.provider.request({ method: 'eth_accounts' })).map((a) => getAddress(a))
  const account = accounts.find((a) => isAddressEqual(a, operator)) ?? accounts[0] ?? session.account
  return { ...session, accounts, account, chainId: await chainIdOf(session.provider) }
}

/** Calls `onChange` when the user switches account or chain in the wallet; returns the unsubscribe. */
export function watchWallet(session: WalletSession, onChange: () => void): () => void {
  const provider = session.provider as EIP1193Provider & {
    on?: (event: string, fn: () => void) => void
    removeListener?: (event: string, fn: () => void) => void
  }
  if (typeof provider.on !== 'function') return () => undefined
  provider.on('accountsChanged', onChange)
  provider.on('chainChanged', onChange)
  return () => {
    provider.removeListener?.('accountsChanged', onChange)
    provider.removeListener?.('chainChanged', onChange)
  }
}

/**
 * Puts the wallet on the network's chain: `wallet_switchEthereumChain`, and when the wallet does
 * not know the chain (4902) `wallet_addEthereumChain` with the config's id and RPC. Rejected →
 * WALLET_USER_REJECTED; still on another chain → WALLET_WRONG_CHAIN.
 */
export async function ensureChain(session: WalletSession, config: WispWebConfig): Promise<WalletSession> {
  const want = config.chain.chainId
  const hexId = `0x${want.toString(16)}` as const
  const current = await chainIdOf(session.provider)
  if (current === want) return { ...session, chainId: current }
  try {
    await session.provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: hexId }] })
  } catch (err) {
    const code = rpcCode(err)
    if (code === 4001) throw rejected(`switching to chain ${want}`, err)
    if (code !== 4902)
      throw new WalletError(
        'WALLET_WRONG_CHAIN',
        `the wallet is on chain ${current}, not ${want}, and could not switch: ${firstLine(err)}`,
        {
          details: { walletChainId: current, chainId: want },
          cause: err,
        },
      )
    try {
      await session.provider.request({
        method: 'wallet_addEthereumChain',
        params: [
          {
            chainId: hexId,
            chainName: config.network.name,
            nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
            rpcUrls: [config.chain.rpcUrl],
            ...(config.chain.explorerTxUrl
              ? { blockExplorerUrls: [new URL(config.chain.explorerTxUrl.replace('{tx}', '')).origin] }
              : {}),
          },
        ],
      })
      // some wallets add without switching
      if ((await chainIdOf(session.provider)) !== want)
        await session.provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: hexId }] })
    } catch (addErr) {
      if (rpcCode(addErr) === 4001) throw rejected(`adding chain ${want}`, addErr)
      throw new WalletError(
        'WALLET_WRONG_CHAIN',
        `the wallet could not add chain ${want}: ${firstLine(addErr)}`,
        {
          details: { walletChainId: current, chainId: want },
          cause: addErr,
        },
      )
    }
  }
  const after = await chainIdOf(session.provider)
  if (after !== want)
    throw new WalletError(
      'WALLET_WRONG_CHAIN',
      `the wallet stayed on chain ${after}; switch it to chain ${want}`,
      {
        details: { walletChainId: after, chainId: want },
      },
    )
  return { ...session, chainId: after }
}

/** The registry's first staking contract is the stake token (Wisp's deployments have one). */
export async function readFunding(config: WispWebConfig, address: Address): Promise<Funding> {
  const client = chainClient(config)
  const registry = await getRegistryAddress(client, { attestationCenter: config.chain.attestationCenter })
  const [contracts] = (await client.readContract({
    address: registry,
    abi: operatorRegistryAbi,
    functionName: 'getStakingContracts',
  })) as readonly [readonly Address[], readonly bigint[]]
  const stakeToken = contracts[0]
  if (stakeToken === undefined)
    throw new WalletError('WALLET_NO_STAKE', `the registry ${registry} has no staking contract to stake in`)
  const token = { address: stakeToken, abi: testERC20Abi } as const
  const [eth, tokens, allowance, symbol, decimals, staked] = await Promise.all([
    client.getBalance({ address }),
    client.readContract({ ...token, functionName: 'balanceOf', args: [address] }),
    client.readContract({ ...token, functionName: 'allowance', args: [address, registry] }),
    client.readContract({ ...token, functionName: 'symbol' }).catch(() => 'tokens'),
    client.readContract({ ...token, functionName: 'decimals' }).catch(() => 18),
    client.readContract({
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'stakeOf',
      args: [address, stakeToken],
    }) as Promise<bigint>,
  ])
  return { registry, stakeToken, symbol, decimals: Number(decimals), eth, tokens, staked, allowance }
}

export interface RegisterFromWalletParams {
  config: WispWebConfig
  session: WalletSession
  signer: Remote<SignerService>
  profile: KeyProfile
  /** stake to deposit now (smallest unit); 0 when the address has staked already */
  stake: bigint
  onStep?: (step: RegistrationStep, state: 'active' | 'done' | 'skipped' | 'failed', txHash?: string) => void
}

/** A chain error of planning or of a step → the page's WalletError, naming the step. */
function walletError(
  err: unknown,
  step: RegistrationStep | 'plan',
  operator: Address,
  chainId: number,
): WalletError {
  const what = step === 'plan' ? 'planning the registration' : `"${STEP_LABELS[step]}"`
  if (rpcCode(err) === 4001) return rejected(what, err)
  const code = isChainError(err) ? err.code : undefined
  if (code === 'CHAIN_INSUFFICIENT_FUNDS')
    return new WalletError(
      'WALLET_INSUFFICIENT_FUNDS',
      `${operator} cannot pay for ${what}: ${firstLine(err)}`,
      { cause: err },
    )
  if (code === 'CHAIN_WRONG_CHAIN')
    return new WalletError('WALLET_WRONG_CHAIN', `the wallet left chain ${chainId} during ${what}`, {
      cause: err,
    })
  if (step === 'plan' && code === 'CHAIN_INVALID_INPUT' && /stake/.test(firstLine(err)))
    return new WalletError('WALLET_NO_STAKE', firstLine(err), { cause: err })
  return new WalletError(
    'WALLET_STEP_FAILED',
    `${what} failed: ${code ? `${code}: ` : ''}${firstLine(err)}`,
    {
      details: { step, ...(code ? { chainCode: code } : {}) },
      cause: err,
    },
  )
}

/**
 * Stakes and registers the operator from the wallet, the CLI's way: @wisp/chain plans the steps
 * (approve when the allowance is short, deposit, registerAsOperator) and checks tokens, ETH for gas
 * and the proof before anything is sent, then executes the plan through the wallet. The proof of
 * possession comes from the signer worker. Failures are WalletErrors naming the step: rejected in
 * the wallet, not enough ETH or tokens, or reverted (with the contract's error).
 */
export async function registerFromWallet(
  params: RegisterFromWalletParams,
): Promise<{ operatorId: number | undefined; txHash?: string }> {
  const { config, profile, stake, onStep } = params
  const chainId = config.chain.chainId
  const session = await ensureChain(params.session, config)
  const operator = getAddress(profile.address)
  if (!session.accounts.some((a) => isAddressEqual(a, operator)))
    throw new WalletError(
      'WALLET_WRONG_ACCOUNT',
      `the wallet's account ${session.account} is not this operator (${operator}): select ${operator} in the wallet`,
      { details: { walletAccounts: session.accounts, operator } },
    )
  const client = chainClient(config)
  const attestationCenter = config.chain.attestationCenter

  // the proof binds the key to (operator, registry, chain id); the worker signs it, the key stays there
  onStep?.('proof', 'active')
  let proofOfPossession: readonly [bigint, bigint]
  try {
    const context = await proofOfPossessionContext(client, {
      attestationCenter,
      account: operator,
      action: 'register',
    })
    const [x, y] = unwrap(
      await params.signer.proofOfPossession({ contract: context.contract, chainId: context.chainId }),
    )
    proofOfPossession = [BigInt(x), BigInt(y)]
  } catch (err) {
    onStep?.('proof', 'failed')
    throw walletError(err, 'proof', operator, chainId)
  }
  onStep?.('proof', 'done')
  const key = profile.blsPublicKey.slice(2)
  const blsPublicKey = [0, 1, 2, 3].map((i) =>
    BigInt(`0x${key.slice(i * 64, (i + 1) * 64)}`),
  ) as unknown as readonly [bigint, bigint, bigint, bigint]

  let plan: OnboardingPlan
  try {
    plan = await planOperatorRegistration(client, {
      attestationCenter,
      account: operator,
      stake,
      blsPublicKey,
      proofOfPossession,
    })
  } catch (err) {
    throw walletError(err, 'plan', operator, chainId)
  }
  if (plan.chainId !== chainId)
    throw new WalletError(
      'WALLET_WRONG_CHAIN',
      `the network's RPC is chain ${plan.chainId}, the config says ${chainId}`,
    )
  for (const step of ['approve', 'deposit', 'register'] as const)
    if (!plan.steps.some((s) => s.kind === step)) onStep?.(step, 'skipped')
  if (plan.steps.length === 0) return { operatorId: plan.operatorId }

  const wallet = createWalletClient({
    account: operator,
    chain: chainOf(config),
    transport: custom(session.provider, { retryCount: 0 }),
  })
  let last: string | undefined
  let current: RegistrationStep = 'register'
  try {
    const result = await executeOnboardingPlan(wallet, plan, {
      onStep: (step, state, info) => {
        current = step.kind as RegistrationStep
        if (state === 'done') last = info.result?.txHash
        onStep?.(current, state === 'sending' ? 'active' : state, info.result?.txHash)
      },
    })
    return { operatorId: result.operatorId, ...(last ? { txHash: last } : {}) }
  } catch (err) {
    throw walletError(err, current, operator, chainId)
  }
}

/** Token units for people: at most 4 decimals. */
export function formatAmount(value: bigint, decimals: number): string {
  const [whole, fraction = ''] = formatUnits(value, decimals).split('.')
  const cut = fraction.slice(0, 4).replace(/0+$/, '')
  return cut ? `${whole}.${cut}` : whole!
}

/** A stake typed on the page → smallest unit; WALLET_INVALID_AMOUNT when it is not a number ≥ 0. */
export function parseAmount(text: string, decimals: number): bigint {
  const t = text.trim()
  if (!/^\d+(\.\d+)?$/.test(t))
    throw new WalletError('WALLET_INVALID_AMOUNT', `the stake "${text}" is not an amount like 10 or 2.5`)
  return parseUnits(t, decimals)
}

/** A local network's faucet: ETH and stake tokens for `address` (plain transfers on the server). */
export async function requestFaucet(
  config: WispWebConfig,
  address: Address,
  baseUrl: string,
): Promise<FaucetResponse> {
  if (config.faucet === undefined) throw new WalletError('WALLET_FAUCET_FAILED', 'this network has no faucet')
  let response: Response
  try {
    response = await fetch(new URL(config.faucet.url, baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address }),
    })
  } catch (err) {
    throw new WalletError('WALLET_FAUCET_FAILED', `the faucet is unreachable: ${firstLine(err)}`, {
      cause: err,
    })
  }
  const answer = (await response.json().catch(() => ({}))) as Partial<FaucetResponse> & {
    error?: { code?: string; message?: string }
  }
  if (!response.ok || typeof answer.stakeTokenBalance !== 'string')
    throw new WalletError(
      'WALLET_FAUCET_FAILED',
      `the faucet failed (HTTP ${response.status}): ${answer.error?.code ? `${answer.error.code}: ` : ''}${answer.error?.message ?? 'no balances in its answer'}`,
    )
  return answer as FaucetResponse
}
