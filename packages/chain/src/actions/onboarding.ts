// Joining and leaving a network as data, then action: a plan names every transaction still needed
// (approve the stake token, deposit the stake, register; unregister; update the BLS key) with its
// target, calldata and gas, after the checks that would otherwise fail half-way (already
// registered, ejected, not enough tokens, not enough ETH for the gas). Nothing is sent while
// planning, so a CLI can print the plan and ask, and a browser wallet can show it; executing sends
// the steps in order, each after the previous one's receipt. viem actions only (no Node APIs): the
// CLI and the web app's EIP-1193 wallet share it. Who the account is on the network (id, active,
// voting power, key) is read through the package's ChainBackend (backends/), the one reader per
// contract set; only what registering needs beyond it (stake token, allowance, stake) is read here.
import { signProofOfPossession } from '@wisp/bls'
import { attestationCenterAbi, operatorRegistryAbi, testERC20Abi } from '@wisp/contracts'
import {
  type Account,
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  isAddress,
  isAddressEqual,
} from 'viem'
import { estimateFeesPerGas, estimateGas, getBalance, getChainId, getCode, getGasPrice } from 'viem/actions'
import { createChainBackend, detectChainBackend } from '../backends/detect.js'
import { createOthenticBackend } from '../backends/othentic.js'
import type { ChainBackend, ChainBackendKind, ChainBackendOption } from '../backends/types.js'
import { createWispBackend } from '../backends/wisp.js'
import { ChainError, toChainError } from '../errors.js'
import { type AnyClient, type ReceiptOptions, read, type WriteResult } from '../transact.js'
import { g1Words, g2Words } from './encoding.js'
import {
  approveToken,
  type BlsKeyInput,
  depositStake,
  registerOperator,
  unregisterOperator,
  updateBlsKey,
} from './operators.js'
import { getRegistryAddress } from './read.js'

/** Which contracts the AttestationCenter is: Wisp's own, or an Othentic deployment's L2 side. */
export type OnboardingBackend = ChainBackendKind

export type OnboardingAction = 'register' | 'deregister' | 'update-bls-key'
export type OnboardingStepKind = 'approve' | 'deposit' | 'register' | 'unregister' | 'update-bls-key'

/** One transaction of a plan. */
export interface OnboardingStep {
  kind: OnboardingStepKind
  /** for people: "approve 100 stake tokens (0x…) for the registry 0x…" */
  description: string
  /** the contract called */
  target: Address
  functionName: string
  /** the calldata sent (what a wallet shows) */
  data: Hex
  /** gas limit used for the cost */
  gas: bigint
  /**
   * `estimate`: eth_estimateGas now. `limit`: a fixed upper bound, because the step needs the state
   * an earlier step of the plan creates (a deposit needs the approval); estimated again when sent.
   */
  gasSource: 'estimate' | 'limit'
}

export interface OnboardingPlan {
  action: OnboardingAction
  backend: OnboardingBackend
  chainId: number
  account: Address
  attestationCenter: Address
  /** Wisp: the OperatorRegistry; Othentic: the OBLS */
  registry: Address
  /** the account's operator id, when it has one */
  operatorId: number | undefined
  /** in order; empty when there is nothing to do */
  steps: OnboardingStep[]
  /** why nothing needs sending (already registered, already inactive, same key) */
  nothingToDo?: string
  /** the fee per gas the cost assumes (maxFeePerGas, or the legacy gas price) */
  feePerGas: bigint
  totalGas: bigint
  /** totalGas × feePerGas: the most the steps may cost */
  maxCost: bigint
  /** the account's ETH when planned */
  balance: bigint
  /** register with a stake */
  stake?: {
    token: Address
    amount: bigint
    /** the account's token balance */
    balance: bigint
    /** already approved for the registry */
    allowance: bigint
    /** already staked in this token */
    staked: bigint
  }
  /** the key and proof the register / update step sends (as contract words) */
  blsKey?: {
    publicKey: readonly [bigint, bigint, bigint, bigint]
    proofOfPossession: readonly [bigint, bigint]
  }
}

/** Upper bound on a deposit's gas when it cannot be estimated before its approval lands. */
export const DEPOSIT_GAS_LIMIT = 250_000n

/** How the account stands with the network, for both backends. */
export interface OperatorStanding {
  backend: OnboardingBackend
  account: Address
  attestationCenter: Address
  registry: Address
  /** undefined: never registered */
  operatorId: number | undefined
  active: boolean
  /** Wisp only: ejected for good (cannot register again) */
  ejected: boolean
  /**
   * Wisp: the stored voting power (kept while inactive). Othentic: an active operator's; 0 for an
   * inactive one (the backend lists active operators only).
   */
  votingPower: bigint
  /** the network's total (active operators) */
  totalVotingPower: bigint
  /** the registered G2 key as words; undefined when not readable (Othentic reverts for an inactive id) */
  blsPublicKey: readonly [bigint, bigint, bigint, bigint] | undefined
}

/** The backend to read through: a kind, or 'auto' (detected from the AttestationCenter); default 'wisp'. */
export type OnboardingBackendOption = ChainBackendOption

function addressParam(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw new ChainError('CHAIN_INVALID_INPUT', `${field}: ${String(value)} is not an address`, {
      details: { field },
    })
  return getAddress(value)
}

function accountAddress(account: Account | Address, field = 'account'): Address {
  return addressParam(typeof account === 'string' ? account : account?.address, field)
}

async function chainIdOf(client: AnyClient): Promise<number> {
  try {
    return await getChainId(client)
  } catch (err) {
    throw toChainError(err, { functionName: 'eth_chainId' })
  }
}

/** No code at the AttestationCenter: a typo, an EOA or the wrong chain, said before any call fails oddly. */
async function requireCode(client: AnyClient, address: Address, field: string): Promise<void> {
  let code: Hex | undefined
  try {
    code = await getCode(client, { address })
  } catch (err) {
    throw toChainError(err, { address, functionName: 'eth_getCode' })
  }
  if (code === undefined || code === '0x')
    throw new ChainError('CHAIN_NOT_A_CONTRACT', `${field}: no contract at ${address} on this chain`, {
      details: { address, field },
    })
}

/** The registry (Wisp) or OBLS (Othentic) behind the AttestationCenter; a contract without `obls()` is not one. */
async function registryOf(
  client: AnyClient,
  attestationCenter: Address,
  registry: Address | undefined,
): Promise<Address> {
  try {
    return await getRegistryAddress(client, { attestationCenter, ...(registry ? { registry } : {}) })
  } catch (err) {
    const e = toChainError(err, { address: attestationCenter, functionName: 'obls' })
    if (e.code === 'CHAIN_RPC_FAILED') throw e
    throw new ChainError(
      'CHAIN_NOT_AN_ATTESTATION_CENTER',
      `attestationCenter: ${attestationCenter} does not answer obls() as an AttestationCenter (${e.code})`,
      { details: { address: attestationCenter }, cause: err },
    )
  }
}

async function fees(client: AnyClient): Promise<bigint> {
  try {
    return (await estimateFeesPerGas(client)).maxFeePerGas
  } catch {
    try {
      return await getGasPrice(client)
    } catch (err) {
      throw toChainError(err, { functionName: 'eth_gasPrice' })
    }
  }
}

async function balanceOf(client: AnyClient, address: Address): Promise<bigint> {
  try {
    return await getBalance(client, { address })
  } catch (err) {
    throw toChainError(err, { functionName: 'eth_getBalance' })
  }
}

async function estimate(
  client: AnyClient,
  account: Address,
  target: Address,
  data: Hex,
  functionName: string,
): Promise<bigint> {
  try {
    return await estimateGas(client, { account, to: target, data })
  } catch (err) {
    // a revert comes back decoded (InvalidBLSAuthSignature, OperatorAlreadyRegistered…): nothing sent
    throw toChainError(err, { address: target, functionName })
  }
}

/** Totals the gas, prices it and refuses a plan the account cannot pay for. */
async function priced(
  client: AnyClient,
  plan: Omit<OnboardingPlan, 'feePerGas' | 'totalGas' | 'maxCost' | 'balance'>,
): Promise<OnboardingPlan> {
  const [feePerGas, balance] = await Promise.all([fees(client), balanceOf(client, plan.account)])
  const totalGas = plan.steps.reduce((sum, s) => sum + s.gas, 0n)
  const maxCost = totalGas * feePerGas
  if (plan.steps.length > 0 && balance < maxCost)
    throw new ChainError(
      'CHAIN_INSUFFICIENT_FUNDS',
      `${plan.account} has ${balance} wei, less than the ${maxCost} wei the ${plan.steps.length} transaction(s) to ${plan.action} may cost (${totalGas} gas at ${feePerGas} wei)`,
      { details: { asset: 'ETH', needed: maxCost, available: balance } },
    )
  return { ...plan, feePerGas, totalGas, maxCost, balance }
}

/**
 * The backend behind the AttestationCenter (backends/detect.ts): `obls()` read and the registry /
 * OBLS checked to answer as that backend's (CHAIN_NOT_AN_ATTESTATION_CENTER otherwise). A
 * `registry` given is taken as is (no `obls()` read, no check).
 */
async function backendOf(
  client: AnyClient,
  attestationCenter: Address,
  option: ChainBackendOption | undefined,
  registry: Address | undefined,
): Promise<ChainBackend> {
  const wanted = option ?? 'wisp'
  if (registry === undefined) return createChainBackend(client, { attestationCenter, backend: wanted })
  if (wanted !== 'auto' && wanted !== 'wisp' && wanted !== 'othentic')
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `backend must be 'wisp', 'othentic' or 'auto', not ${JSON.stringify(wanted)}`,
      { details: { field: 'backend' } },
    )
  const center = { attestationCenter, registry: addressParam(registry, 'registry') }
  const kind = wanted === 'auto' ? await detectChainBackend(client, { attestationCenter }) : wanted
  return kind === 'wisp' ? createWispBackend(client, center) : createOthenticBackend(client, center)
}

interface Status {
  operatorId: number | undefined
  active: boolean
  ejected: boolean
  votingPower: bigint
  key: readonly [bigint, bigint, bigint, bigint] | undefined
}

/**
 * The account's id and record, through the backend: `getOperatorId` (Othentic's
 * OperatorNotRegistered reads as undefined) and the operator list. Wisp lists every operator ever
 * registered; Othentic the active ones only, so an id not among them is inactive, its key unreadable.
 */
async function statusOf(backend: ChainBackend, account: Address): Promise<Status> {
  const [operatorId, operators] = await Promise.all([backend.getOperatorId(account), backend.getOperators()])
  if (operatorId === undefined)
    return { operatorId, active: false, ejected: false, votingPower: 0n, key: undefined }
  const record = operators.find((o) => o.id === operatorId)
  return {
    operatorId,
    active: record?.active ?? false,
    ejected: record?.ejected ?? false,
    votingPower: record?.votingPower ?? 0n,
    key: record ? g2Words(record.blsPublicKey, 'registered BLS key') : undefined,
  }
}

/**
 * Where the account stands: its operator id (undefined when it never registered), active, voting
 * power against the network's total, the registered BLS key. Read-only; both backends, read
 * through the package's ChainBackend (`backend` default 'wisp'; 'auto' detects it).
 */
export async function getOperatorStanding(
  client: AnyClient,
  params: {
    attestationCenter: Address
    account: Account | Address
    backend?: OnboardingBackendOption
    registry?: Address
  },
): Promise<OperatorStanding> {
  const attestationCenter = addressParam(params.attestationCenter, 'attestationCenter')
  const account = accountAddress(params.account)
  await requireCode(client, attestationCenter, 'attestationCenter')
  const backend = await backendOf(client, attestationCenter, params.backend, params.registry)
  const [s, total] = await Promise.all([statusOf(backend, account), backend.getNetworkTotal()])
  return {
    backend: backend.kind,
    account,
    attestationCenter,
    registry: backend.registry,
    operatorId: s.operatorId,
    active: s.active,
    ejected: s.ejected,
    votingPower: s.votingPower,
    totalVotingPower: total,
    blsPublicKey: s.key,
  }
}

/**
 * What a proof of possession must be bound to (for a signer that keeps the key, e.g. a worker):
 * registration binds it to the registry, a key update to the AttestationCenter; both to the chain id.
 */
export async function proofOfPossessionContext(
  client: AnyClient,
  params: {
    attestationCenter: Address
    account: Account | Address
    action: 'register' | 'update-bls-key'
    registry?: Address
  },
): Promise<{ operator: Address; contract: Address; chainId: number }> {
  const attestationCenter = addressParam(params.attestationCenter, 'attestationCenter')
  const operator = accountAddress(params.account)
  const chainId = await chainIdOf(client)
  const contract =
    params.action === 'register'
      ? await registryOf(client, attestationCenter, params.registry)
      : attestationCenter
  return { operator, contract, chainId }
}

function keyWords(
  input: BlsKeyInput,
  context: { operator: Address; contract: Address; chainId: number },
): NonNullable<OnboardingPlan['blsKey']> {
  if ('blsSecretKey' in input) {
    const proof = signProofOfPossession(input.blsSecretKey, context)
    return { publicKey: input.blsSecretKey.publicKey.toEvm(), proofOfPossession: proof.toEvm() }
  }
  return {
    publicKey: g2Words(input.blsPublicKey, 'blsPublicKey'),
    proofOfPossession: g1Words(input.proofOfPossession, 'proofOfPossession'),
  }
}

const sameKey = (a: readonly bigint[] | undefined, b: readonly bigint[]) =>
  a !== undefined && a.length === b.length && a.every((w, i) => w === b[i])

export type PlanRegistrationParams = {
  attestationCenter: Address
  account: Account | Address
  /** stake-token amount to deposit now (smallest unit); 0 = register with what is staked already */
  stake: bigint
  /** the token to stake; default the registry's first staking contract */
  stakingContract?: Address
  registry?: Address
} & BlsKeyInput

/**
 * The transactions that register `account` (Wisp backend): approve and deposit the stake when
 * `stake` > 0 (approve skipped when the allowance covers it), then `registerAsOperator` with the
 * key and its proof of possession (signed here from a secret key, or given). Already active →
 * no steps and `nothingToDo`. Before anything is sent: OperatorIsEjected, CHAIN_INSUFFICIENT_FUNDS
 * (tokens or ETH for gas), CHAIN_INVALID_INPUT (no stake at all: the operator would have no voting
 * power), and a register that would revert (a bad proof) with the contract's error.
 */
export async function planOperatorRegistration(
  client: AnyClient,
  params: PlanRegistrationParams,
): Promise<OnboardingPlan> {
  const attestationCenter = addressParam(params.attestationCenter, 'attestationCenter')
  const account = accountAddress(params.account)
  if (typeof params.stake !== 'bigint' || params.stake < 0n)
    throw new ChainError('CHAIN_INVALID_INPUT', `stake: ${String(params.stake)} is not an amount ≥ 0`, {
      details: { field: 'stake' },
    })
  const chainId = await chainIdOf(client)
  await requireCode(client, attestationCenter, 'attestationCenter')
  const backend = await backendOf(client, attestationCenter, 'wisp', params.registry)
  const registry = backend.registry
  const status = await statusOf(backend, account)
  const base = {
    action: 'register' as const,
    backend: 'wisp' as const,
    chainId,
    account,
    attestationCenter,
    registry,
  }
  if (status.ejected)
    throw new ChainError(
      'OperatorIsEjected',
      `${account} (operator ${status.operatorId}) was ejected and cannot register again`,
      {
        details: { args: [account] },
      },
    )
  if (status.active)
    return priced(client, {
      ...base,
      operatorId: status.operatorId,
      steps: [],
      nothingToDo: `${account} is already registered and active as operator ${status.operatorId}`,
    })

  const token =
    params.stakingContract === undefined
      ? await getStakeToken(client, { attestationCenter, registry })
      : addressParam(params.stakingContract, 'stakingContract')
  const t = { address: token, abi: testERC20Abi } as const
  const [tokenBalance, allowance, staked, powerNow] = await Promise.all([
    read<bigint>(client, { ...t, functionName: 'balanceOf', args: [account] }),
    read<bigint>(client, { ...t, functionName: 'allowance', args: [account, registry] }),
    read<bigint>(client, {
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'stakeOf',
      args: [account, token],
    }),
    read<bigint>(client, {
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'computeVotingPower',
      args: [account],
    }),
  ])
  if (params.stake > tokenBalance)
    throw new ChainError(
      'CHAIN_INSUFFICIENT_FUNDS',
      `stake: ${account} holds ${tokenBalance} of the stake token ${token}, less than the ${params.stake} to stake`,
      { details: { asset: token, needed: params.stake, available: tokenBalance } },
    )
  if (params.stake === 0n && powerNow === 0n)
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `stake: nothing is staked for ${account}; give a stake to deposit, or it registers without voting power`,
      { details: { field: 'stake' } },
    )

  const steps: OnboardingStep[] = []
  if (params.stake > 0n) {
    const needsApproval = allowance < params.stake
    if (needsApproval) {
      const data = encodeFunctionData({
        abi: testERC20Abi,
        functionName: 'approve',
        args: [registry, params.stake],
      })
      steps.push({
        kind: 'approve',
        description: `approve ${params.stake} of the stake token ${token} for the registry ${registry}`,
        target: token,
        functionName: 'approve',
        data,
        gas: await estimate(client, account, token, data, 'approve'),
        gasSource: 'estimate',
      })
    }
    const data = encodeFunctionData({
      abi: operatorRegistryAbi,
      functionName: 'depositStake',
      args: [token, params.stake],
    })
    steps.push({
      kind: 'deposit',
      description: `deposit ${params.stake} of ${token} as stake in the registry ${registry}`,
      target: registry,
      functionName: 'depositStake',
      data,
      ...(needsApproval
        ? { gas: DEPOSIT_GAS_LIMIT, gasSource: 'limit' as const }
        : {
            gas: await estimate(client, account, registry, data, 'depositStake'),
            gasSource: 'estimate' as const,
          }),
    })
  }
  const blsKey = keyWords(params, { operator: account, contract: registry, chainId })
  const data = encodeFunctionData({
    abi: operatorRegistryAbi,
    functionName: 'registerAsOperator',
    args: [blsKey.publicKey, { signature: blsKey.proofOfPossession }],
  })
  steps.push({
    kind: 'register',
    description:
      status.operatorId === undefined
        ? `register ${account} as an operator with its BLS key and proof of possession`
        : `register ${account} again (operator ${status.operatorId}) with its BLS key and proof of possession`,
    target: registry,
    functionName: 'registerAsOperator',
    data,
    // does not depend on the stake: estimated now, so a bad proof reverts here, before the approval
    gas: await estimate(client, account, registry, data, 'registerAsOperator'),
    gasSource: 'estimate',
  })
  return priced(client, {
    ...base,
    operatorId: status.operatorId,
    steps,
    stake: { token, amount: params.stake, balance: tokenBalance, allowance, staked },
    blsKey,
  })
}

/** The token staked to register: the registry's first staking contract with a multiplier. */
export async function getStakeToken(
  client: AnyClient,
  params: { attestationCenter: Address; registry?: Address },
): Promise<Address> {
  const registry = await registryOf(
    client,
    addressParam(params.attestationCenter, 'attestationCenter'),
    params.registry,
  )
  const [contracts, multipliers] = await read<readonly [readonly Address[], readonly bigint[]]>(client, {
    address: registry,
    abi: operatorRegistryAbi,
    functionName: 'getStakingContracts',
  })
  const i = multipliers.findIndex((m) => m > 0n)
  if (i < 0 || contracts[i] === undefined)
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `stakingContract: the registry ${registry} accepts no stake token`,
      {
        details: { field: 'stakingContract', address: registry },
      },
    )
  return getAddress(contracts[i])
}

/**
 * Unregistering (Wisp backend): OperatorNotRegistered when the account never registered, no steps
 * when it is already inactive. Its stake stays, locked for the registry's withdrawal delay.
 */
export async function planOperatorDeregistration(
  client: AnyClient,
  params: { attestationCenter: Address; account: Account | Address; registry?: Address },
): Promise<OnboardingPlan> {
  const attestationCenter = addressParam(params.attestationCenter, 'attestationCenter')
  const account = accountAddress(params.account)
  const chainId = await chainIdOf(client)
  await requireCode(client, attestationCenter, 'attestationCenter')
  const backend = await backendOf(client, attestationCenter, 'wisp', params.registry)
  const registry = backend.registry
  const status = await statusOf(backend, account)
  const base = {
    action: 'deregister' as const,
    backend: 'wisp' as const,
    chainId,
    account,
    attestationCenter,
    registry,
  }
  if (status.operatorId === undefined)
    throw new ChainError(
      'OperatorNotRegistered',
      `${account} is not a registered operator of ${attestationCenter}`,
      {
        details: { args: [account] },
      },
    )
  if (!status.active)
    return priced(client, {
      ...base,
      operatorId: status.operatorId,
      steps: [],
      nothingToDo: `operator ${status.operatorId} (${account}) is already inactive`,
    })
  const data = encodeFunctionData({ abi: operatorRegistryAbi, functionName: 'unregisterAsOperator' })
  return priced(client, {
    ...base,
    operatorId: status.operatorId,
    steps: [
      {
        kind: 'unregister',
        description: `unregister operator ${status.operatorId} (${account}); its stake stays locked for the withdrawal delay`,
        target: registry,
        functionName: 'unregisterAsOperator',
        data,
        gas: await estimate(client, account, registry, data, 'unregisterAsOperator'),
        gasSource: 'estimate',
      },
    ],
  })
}

/**
 * Replacing the BLS key, on either backend: `updateBlsKey(uint256[4], (uint256[2]))` at the
 * AttestationCenter, the proof of possession bound to it and the chain id. OperatorNotRegistered
 * when the account has no id; no steps when the registered key is already this one.
 */
export async function planBlsKeyUpdate(
  client: AnyClient,
  params: {
    attestationCenter: Address
    account: Account | Address
    backend?: OnboardingBackendOption
    registry?: Address
  } & BlsKeyInput,
): Promise<OnboardingPlan> {
  const attestationCenter = addressParam(params.attestationCenter, 'attestationCenter')
  const account = accountAddress(params.account)
  const chainId = await chainIdOf(client)
  await requireCode(client, attestationCenter, 'attestationCenter')
  const backend = await backendOf(client, attestationCenter, params.backend, params.registry)
  const registry = backend.registry
  const status = await statusOf(backend, account)
  const base = {
    action: 'update-bls-key' as const,
    backend: backend.kind,
    chainId,
    account,
    attestationCenter,
    registry,
  }
  if (status.operatorId === undefined)
    throw new ChainError(
      'OperatorNotRegistered',
      `${account} is not a registered operator of ${attestationCenter}`,
      {
        details: { args: [account] },
      },
    )
  if (status.ejected)
    throw new ChainError('OperatorIsEjected', `operator ${status.operatorId} (${account}) was ejected`, {
      details: { args: [account] },
    })
  const blsKey = keyWords(params, { operator: account, contract: attestationCenter, chainId })
  if (sameKey(status.key, blsKey.publicKey))
    return priced(client, {
      ...base,
      operatorId: status.operatorId,
      steps: [],
      nothingToDo: `operator ${status.operatorId} already has this BLS key`,
      blsKey,
    })
  // the same `updateBlsKey(uint256[4], (uint256[2]))` on both backends' AttestationCenter
  const data = encodeFunctionData({
    abi: attestationCenterAbi,
    functionName: 'updateBlsKey',
    args: [blsKey.publicKey, { signature: blsKey.proofOfPossession }],
  })
  return priced(client, {
    ...base,
    operatorId: status.operatorId,
    steps: [
      {
        kind: 'update-bls-key',
        description: `replace the BLS key of operator ${status.operatorId} (${account}), with a proof of possession bound to ${attestationCenter}`,
        target: attestationCenter,
        functionName: 'updateBlsKey',
        data,
        gas: await estimate(client, account, attestationCenter, data, 'updateBlsKey'),
        gasSource: 'estimate',
      },
    ],
    blsKey,
  })
}

export type OnboardingStepState = 'sending' | 'done' | 'failed'

export interface ExecuteOnboardingOptions extends ReceiptOptions {
  /** each step as it is sent, lands, or fails (with the error) */
  onStep?: (
    step: OnboardingStep,
    state: OnboardingStepState,
    info: { index: number; result?: WriteResult; error?: ChainError },
  ) => void
}

export interface OnboardingResult {
  /** one per step sent, in order */
  transactions: Array<{ kind: OnboardingStepKind; txHash: Hex; blockNumber: bigint; gasUsed: bigint }>
  /** register: the id the registry gave; otherwise the plan's */
  operatorId: number | undefined
}

/**
 * Sends a plan's steps in order from `walletClient` (a local account or an EIP-1193 wallet), each
 * after the previous one's receipt, through the same actions as everything else (each simulated
 * before it is sent: a revert comes back as the contract's error, and later steps are not sent).
 * The wallet must be the plan's account on the plan's chain (CHAIN_NO_ACCOUNT / CHAIN_WRONG_CHAIN).
 */
export async function executeOnboardingPlan(
  walletClient: AnyClient,
  plan: OnboardingPlan,
  options: ExecuteOnboardingOptions = {},
): Promise<OnboardingResult> {
  const sender = walletClient.account
  if (sender === undefined || !isAddressEqual(sender.address, plan.account))
    throw new ChainError(
      'CHAIN_NO_ACCOUNT',
      `the wallet's account ${sender?.address ?? '(none)'} is not the plan's account ${plan.account}`,
      { details: { address: plan.account } },
    )
  const chainId = await chainIdOf(walletClient)
  if (chainId !== plan.chainId)
    throw new ChainError(
      'CHAIN_WRONG_CHAIN',
      `the wallet is on chain ${chainId}, the plan is for chain ${plan.chainId}`,
    )
  const { onStep, ...receipt } = options
  const center = { attestationCenter: plan.attestationCenter, registry: plan.registry, ...receipt }
  const key = () => {
    if (plan.blsKey === undefined)
      throw new ChainError('CHAIN_INVALID_INPUT', `the ${plan.action} plan carries no BLS key`)
    return { blsPublicKey: plan.blsKey.publicKey, proofOfPossession: plan.blsKey.proofOfPossession }
  }
  const result: OnboardingResult = { transactions: [], operatorId: plan.operatorId }
  for (const [index, step] of plan.steps.entries()) {
    onStep?.(step, 'sending', { index })
    let sent: WriteResult
    try {
      switch (step.kind) {
        case 'approve':
          sent = await approveToken(walletClient, {
            token: step.target,
            spender: plan.registry,
            amount: plan.stake?.amount ?? 0n,
            ...receipt,
          })
          break
        case 'deposit':
          sent = await depositStake(walletClient, {
            ...center,
            stakingContract: plan.stake?.token ?? step.target,
            amount: plan.stake?.amount ?? 0n,
          })
          break
        case 'register': {
          const registered = await registerOperator(walletClient, { ...center, ...key() })
          result.operatorId = registered.operatorId
          sent = registered
          break
        }
        case 'unregister':
          sent = await unregisterOperator(walletClient, center)
          break
        case 'update-bls-key':
          sent = await updateBlsKey(walletClient, {
            attestationCenter: plan.attestationCenter,
            ...key(),
            ...receipt,
          })
          break
      }
    } catch (err) {
      const error = toChainError(err, { address: step.target, functionName: step.functionName })
      onStep?.(step, 'failed', { index, error })
      throw error
    }
    result.transactions.push({
      kind: step.kind,
      txHash: sent.txHash,
      blockNumber: sent.blockNumber,
      gasUsed: sent.gasUsed,
    })
    onStep?.(step, 'done', { index, result: sent })
  }
  return result
}

/** The brief's names: a registration plan is executed like any other. */
export const executeOperatorRegistration = executeOnboardingPlan
