// deployLocalNetwork: the whole contract set on a local chain (anvil), with operators registered
// and task definitions created, in three rounds of transactions:
//   1. the deployer: contracts (addresses precomputed from its nonce), wiring, token mints,
//      ETH and stake for every operator, roles and switches — signed locally, sent in one batch;
//   2. every operator: registerAsOperator with its BLS key and proof of possession, in spec order
//      (so ids follow the spec on an automining chain);
//   3. the deployer: task definitions (after registration, so their voting-power snapshots count
//      the operators).
// Nothing is estimated against state that does not exist yet: gas limits of the calls are fixed
// and generous, contract deployments are estimated up front (their constructors make no calls).
// Portable (no Node APIs); dev only: it mints test tokens and, by default, signs with anvil's keys.
import { SecretKey, signProofOfPossession } from '@wisp/bls'
import {
  type Abi,
  type Address,
  bytesToHex,
  createPublicClient,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hex,
  http,
  keccak256,
  maxUint256,
  type PrivateKeyAccount,
  type PublicClient,
  stringToHex,
  type TransactionReceipt,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  estimateFeesPerGas,
  estimateGas,
  call as ethCall,
  getChainId,
  getGasPrice,
  getTransactionCount,
  getTransactionReceipt,
  readContract,
  sendRawTransaction,
} from 'viem/actions'
import {
  attestationCenterAbi,
  attestationCenterBytecode,
  avsTreasuryAbi,
  avsTreasuryBytecode,
  operatorRegistryAbi,
  operatorRegistryBytecode,
  ROLES,
  SLASHING_CONDITION,
  testERC20Abi,
  testERC20Bytecode,
} from '../index.js'
import { DevError, reasonOf } from './errors.js'
import { ANVIL_DEV_KEYS } from './keys.js'

export const WAD = 10n ** 18n

/** The slashing modules by the names `@wisp/chain`'s `setSlashingConfig` uses. */
export const LOCAL_SLASHING_CONDITIONS = {
  doubleAttestation: SLASHING_CONDITION.DOUBLE_ATTESTATION,
  incorrectAttestation: SLASHING_CONDITION.INCORRECT_ATTESTATION,
  rejectedTask: SLASHING_CONDITION.REJECTED_TASK,
} as const
export type LocalSlashingCondition = keyof typeof LOCAL_SLASHING_CONDITIONS

export interface LocalSlashingConfig {
  enabled: boolean
  /** share of every stake position slashed, 10 000 = 100 % */
  stakePercentageBps: number
  /** eject the operator for good */
  eject: boolean
}

type AnyClient = PublicClient

export interface LocalOperatorSpec {
  /** The operator's ECDSA key; default: keccak256("<seed>/operator/<index>") (deterministic). */
  ecdsaKey?: Hex
  /** Voting power to end up with (the stake is derived from the multiplier). Default 1e18. */
  votingPower?: bigint
  /** Or: the stake-token amount to deposit (voting power = stake × multiplier / 1e18, capped). */
  stake?: bigint
  /** 32-byte big-endian BLS secret key; default: Othentic's derivation from the ECDSA key. */
  blsSecretKey?: Hex
  /** Register the operator (default true); false leaves it funded and staked but unregistered. */
  register?: boolean
}

export interface LocalTaskDefinitionSpec {
  name: string
  /** last block at which tasks are accepted; default never */
  blockExpiry?: bigint
  baseRewardFeeForAttesters?: bigint
  baseRewardFeeForPerformer?: bigint
  baseRewardFeeForAggregator?: bigint
  disputePeriodBlocks?: bigint
  minimumVotingPower?: bigint
  /** operator ids (1-based: the n-th registered operator of `operators` has id n on a fresh registry) */
  restrictedAttesterIds?: readonly number[]
  maximumNumberOfAttesters?: number
}

export interface LocalNetworkOptions {
  rpcUrl: string
  /** The chain id the RPC must report (DEV_WRONG_CHAIN otherwise); default: whatever it reports. */
  chainId?: number
  /** Deployer and governance; default anvil's first dev account. */
  deployerKey: Hex
  operators: readonly LocalOperatorSpec[]
  taskDefinitions: readonly LocalTaskDefinitionSpec[]
  /** Seed of the default operator keys. */
  seed: string
  /** ETH sent from the deployer to each operator. */
  operatorEth: bigint
  /** Voting power per staked token, WAD (1e18 = 1 power per token unit). */
  stakeMultiplier: bigint
  /** Cap on one operator's voting power; 0 = none. */
  maxEffectiveBalance: bigint
  /** Reward tokens minted to the treasury. */
  treasuryFunding: bigint
  /**
   * Stake tokens minted to the deployer beyond what the operators need, approved for the registry,
   * for staking on behalf of operators registered later (the contracts' own tests do).
   */
  deployerStake: bigint
  /** Anyone may aggregate (submit tasks), not only active operators. */
  openAggregator: boolean
  /** Give the deployer EJECTOR, SLASHER and PAYMENT_REQUESTS. */
  grantDeployerRoles: boolean
  challengerRewardFee: bigint
  slashing: Partial<Record<LocalSlashingCondition, LocalSlashingConfig>>
  /** Receipt polling interval. */
  pollingIntervalMs: number
  /** DEV_DEPLOY_FAILED after this long without a receipt. */
  receiptTimeoutMs: number
}

export const DEFAULT_LOCAL_NETWORK_OPTIONS: Omit<LocalNetworkOptions, 'rpcUrl'> = {
  deployerKey: ANVIL_DEV_KEYS[0],
  operators: [],
  taskDefinitions: [],
  seed: 'wisp-local',
  operatorEth: 10n * WAD,
  stakeMultiplier: WAD,
  maxEffectiveBalance: 0n,
  treasuryFunding: 1_000_000n * WAD,
  deployerStake: 0n,
  openAggregator: false,
  grantDeployerRoles: true,
  challengerRewardFee: 0n,
  slashing: {},
  pollingIntervalMs: 20,
  receiptTimeoutMs: 60_000,
}

export const DEFAULT_OPERATOR_VOTING_POWER = WAD

export interface LocalOperator {
  /** 0-based position in `options.operators` */
  index: number
  /** operator id on chain; 0 when not registered */
  id: number
  address: Address
  ecdsaKey: Hex
  /** 32-byte big-endian BLS secret key (`SecretKey.fromBytes`) */
  blsSecretKey: Hex
  /** 128-byte EVM-encoded G2 key */
  blsPublicKey: Hex
  stake: bigint
  votingPower: bigint
  registered: boolean
}

export interface LocalNetwork {
  rpcUrl: string
  chainId: number
  deployer: Address
  contracts: {
    attestationCenter: Address
    registry: Address
    treasury: Address
    stakeToken: Address
    rewardToken: Address
  }
  operators: LocalOperator[]
  taskDefinitions: Array<{ id: number; name: string }>
  /** block of the first deployment (watch events from here) */
  startBlock: bigint
  /** wall-clock milliseconds per round */
  timings: { prepareMs: number; deployMs: number; registerMs: number; definitionsMs: number; totalMs: number }
}

// Gas limits of calls whose state does not exist when they are signed (generous; unused gas is not charged).
const GAS = {
  transfer: 21_000n,
  role: 120_000n,
  small: 200_000n,
  stake: 300_000n,
  register: 1_000_000n,
  definition: 1_500_000n,
} as const

interface Fees {
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  gasPrice?: bigint
}

interface PlannedTx {
  label: string
  to?: Address
  data: Hex
  value?: bigint
  gas: bigint
}

/** Signs one account's transactions locally with consecutive nonces. */
class Sender {
  constructor(
    readonly chainId: number,
    readonly account: PrivateKeyAccount,
    readonly fees: Fees,
    public nonce: number,
  ) {}

  async sign(tx: PlannedTx): Promise<{ label: string; raw: Hex; tx: PlannedTx; from: Address }> {
    const common = {
      chainId: this.chainId,
      nonce: this.nonce++,
      gas: tx.gas,
      data: tx.data,
      ...(tx.to ? { to: tx.to } : {}),
      ...(tx.value ? { value: tx.value } : {}),
    }
    const raw =
      this.fees.gasPrice !== undefined
        ? await this.account.signTransaction({ ...common, type: 'legacy', gasPrice: this.fees.gasPrice })
        : await this.account.signTransaction({
            ...common,
            type: 'eip1559',
            maxFeePerGas: this.fees.maxFeePerGas!,
            maxPriorityFeePerGas: this.fees.maxPriorityFeePerGas!,
          })
    return { label: tx.label, raw, tx, from: this.account.address }
  }
}

function call(
  label: string,
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  gas: bigint,
) {
  return {
    label,
    to,
    data: encodeFunctionData({ abi, functionName, args } as Parameters<typeof encodeFunctionData>[0]),
    gas,
  }
}

function deployError(label: string, cause: unknown): DevError {
  const reason = cause instanceof DevError ? cause.code : reasonOf(cause)
  return new DevError('DEV_DEPLOY_FAILED', `local network deployment failed at "${label}": ${reason}`, {
    details: { step: label, reason },
    cause,
  })
}

function rpcError(what: string, cause: unknown): DevError {
  return new DevError('DEV_RPC_FAILED', `${what}: ${reasonOf(cause)}`, { details: { what }, cause })
}

async function waitForReceipt(
  client: AnyClient,
  hash: Hex,
  options: Pick<LocalNetworkOptions, 'pollingIntervalMs' | 'receiptTimeoutMs'>,
): Promise<TransactionReceipt> {
  const deadline = Date.now() + options.receiptTimeoutMs
  for (;;) {
    try {
      return await getTransactionReceipt(client, { hash })
    } catch (err) {
      if ((err as { name?: string }).name !== 'TransactionReceiptNotFoundError') throw err
    }
    if (Date.now() >= deadline) {
      throw new Error(`no receipt for ${hash} after ${options.receiptTimeoutMs} ms`)
    }
    await new Promise<void>((resolve) => setTimeout(resolve, options.pollingIntervalMs))
  }
}

/** Replays a reverted transaction at its block to learn why; the error to throw. */
async function explainRevert(
  client: AnyClient,
  tx: { from: Address; to: Address; data: Hex; receipt: TransactionReceipt },
): Promise<unknown> {
  try {
    await ethCall(client, { account: tx.from, to: tx.to, data: tx.data, blockNumber: tx.receipt.blockNumber })
  } catch (err) {
    return err
  }
  return new Error(`reverted (gas used ${tx.receipt.gasUsed}) and the replay gives no reason`)
}

/**
 * Sends signed transactions (in order: one sender's nonces must arrive in order for some nodes),
 * then waits for every receipt and turns a revert into CHAIN_DEPLOY_FAILED naming the step.
 */
async function sendAll(
  client: AnyClient,
  signed: ReadonlyArray<{ label: string; raw: Hex; tx: PlannedTx; from: Address }>,
  options: Pick<LocalNetworkOptions, 'pollingIntervalMs' | 'receiptTimeoutMs'>,
): Promise<TransactionReceipt[]> {
  const hashes: Hex[] = []
  for (const s of signed) {
    try {
      hashes.push(await sendRawTransaction(client, { serializedTransaction: s.raw }))
    } catch (err) {
      throw deployError(s.label, err)
    }
  }
  const receipts = await Promise.all(
    hashes.map((hash, i) =>
      waitForReceipt(client, hash, options).catch((err: unknown) => {
        throw deployError(signed[i]!.label, err)
      }),
    ),
  )
  for (let i = 0; i < receipts.length; i++) {
    const receipt = receipts[i]!
    if (receipt.status === 'success') continue
    const s = signed[i]!
    const reason = s.tx.to
      ? await explainRevert(client, { from: s.from, to: s.tx.to, data: s.tx.data, receipt })
      : new Error('contract creation reverted')
    throw deployError(s.label, reason)
  }
  return receipts
}

async function chooseFees(client: AnyClient): Promise<Fees> {
  try {
    const fees = await estimateFeesPerGas(client)
    // headroom for base-fee movement across the blocks of the deployment
    return { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
  } catch {
    return { gasPrice: ((await getGasPrice(client)) * 3n) / 2n }
  }
}

function defaultOperatorKey(seed: string, index: number): Hex {
  return keccak256(stringToHex(`${seed}/operator/${index}`))
}

function stakeFor(spec: LocalOperatorSpec, multiplier: bigint): bigint {
  if (spec.stake !== undefined && spec.votingPower !== undefined) {
    throw new DevError('DEV_INVALID_INPUT', 'an operator takes votingPower or stake, not both')
  }
  if (spec.stake !== undefined) return spec.stake
  const power = spec.votingPower ?? DEFAULT_OPERATOR_VOTING_POWER
  if (multiplier === 0n) throw new DevError('DEV_INVALID_INPUT', 'stakeMultiplier must be positive')
  return (power * WAD + multiplier - 1n) / multiplier
}

/** Operator ids (1-based, safe integers) → uint256[]; 0 passes (the contract refuses it). */
function operatorIds(ids: readonly number[], what: string): bigint[] {
  return ids.map((id) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
      throw new DevError('DEV_INVALID_INPUT', `${what}: ${String(id)} is not an operator id`, {
        details: { id: String(id) },
      })
    }
    return BigInt(id)
  })
}

/** On-chain state of the operators: id (0 when not registered), voting power, active. */
async function readOperators(
  client: AnyClient,
  registry: Address,
  addresses: readonly Address[],
): Promise<Array<{ id: number; votingPower: bigint; active: boolean }>> {
  const ids = await Promise.all(
    addresses.map((address) =>
      readContract(client, {
        address: registry,
        abi: operatorRegistryAbi,
        functionName: 'operatorsIdsByAddress',
        args: [address],
      }),
    ),
  )
  return Promise.all(
    ids.map(async (id) => {
      if (id === 0n) return { id: 0, votingPower: 0n, active: false }
      const [, active, , votingPower] = await readContract(client, {
        address: registry,
        abi: operatorRegistryAbi,
        functionName: 'getOperator',
        args: [id],
      })
      return { id: Number(id), votingPower, active }
    }),
  )
}
/**
 * Deploys TestERC20 (stake and reward), OperatorRegistry, AvsTreasury and AttestationCenter (+ its
 * extension), wires them, funds and registers the operators, creates the task definitions.
 * Deterministic: on a fresh anvil the same options give the same addresses, keys and ids.
 */
export async function deployLocalNetwork(
  options: Partial<LocalNetworkOptions> & Pick<LocalNetworkOptions, 'rpcUrl'>,
): Promise<LocalNetwork> {
  const t0 = Date.now()
  const o: LocalNetworkOptions = { ...DEFAULT_LOCAL_NETWORK_OPTIONS, ...options }
  const client = createPublicClient({
    transport: http(o.rpcUrl, { batch: true, retryCount: 1 }),
    pollingInterval: o.pollingIntervalMs,
  })
  const receiptOptions = { pollingIntervalMs: o.pollingIntervalMs, receiptTimeoutMs: o.receiptTimeoutMs }

  let chainId: number
  try {
    chainId = await getChainId(client)
  } catch (err) {
    throw rpcError(`eth_chainId at ${o.rpcUrl}`, err)
  }
  if (o.chainId !== undefined && o.chainId !== chainId) {
    throw new DevError('DEV_WRONG_CHAIN', `the RPC is on chain ${chainId}, expected chain ${o.chainId}`, {
      details: { expected: o.chainId, actual: chainId },
    })
  }
  const deployer = privateKeyToAccount(o.deployerKey)

  // Operator keys, stakes, BLS keys (CPU work, done once up front).
  const specs = o.operators.map((spec, index) => {
    const ecdsaKey = spec.ecdsaKey ?? defaultOperatorKey(o.seed, index)
    const account = privateKeyToAccount(ecdsaKey)
    const bls = spec.blsSecretKey
      ? SecretKey.fromBytes(spec.blsSecretKey)
      : SecretKey.fromEcdsaPrivateKey(ecdsaKey)
    return {
      index,
      spec,
      ecdsaKey,
      account,
      bls,
      stake: stakeFor(spec, o.stakeMultiplier),
      register: spec.register ?? true,
    }
  })
  const totalStake = specs.reduce((sum, s) => sum + s.stake, o.deployerStake)

  let startNonce: number
  let fees: Fees
  try {
    ;[startNonce, fees] = await Promise.all([
      getTransactionCount(client, { address: deployer.address, blockTag: 'pending' }),
      chooseFees(client),
    ])
  } catch (err) {
    throw rpcError('nonce and fees of the deployer', err)
  }
  const at = (offset: number) =>
    getContractAddress({ from: deployer.address, nonce: BigInt(startNonce + offset) })
  const stakeToken = at(0)
  const rewardToken = at(1)
  const registry = at(2)
  const treasury = at(3)
  const attestationCenter = at(4)

  // Proofs of possession are bound to (operator, registry, chain id): the registry address is known now.
  const keys = specs.map((s) => ({
    publicKey: s.bls.publicKey.toEvm(),
    proof: s.register
      ? signProofOfPossession(s.bls, { operator: s.account.address, contract: registry, chainId }).toEvm()
      : undefined,
  }))

  const deploys: PlannedTx[] = [
    {
      label: 'deploy stake token',
      data: encodeDeployData({
        abi: testERC20Abi,
        bytecode: testERC20Bytecode,
        args: ['Wisp Stake', 'WSTK'],
      }),
      gas: 0n,
    },
    {
      label: 'deploy reward token',
      data: encodeDeployData({
        abi: testERC20Abi,
        bytecode: testERC20Bytecode,
        args: ['Wisp Reward', 'WRWD'],
      }),
      gas: 0n,
    },
    {
      label: 'deploy OperatorRegistry',
      data: encodeDeployData({
        abi: operatorRegistryAbi,
        bytecode: operatorRegistryBytecode,
        args: [deployer.address],
      }),
      gas: 0n,
    },
    {
      label: 'deploy AvsTreasury',
      data: encodeDeployData({
        abi: avsTreasuryAbi,
        bytecode: avsTreasuryBytecode,
        args: [deployer.address, rewardToken],
      }),
      gas: 0n,
    },
    {
      label: 'deploy AttestationCenter',
      data: encodeDeployData({
        abi: attestationCenterAbi,
        bytecode: attestationCenterBytecode,
        args: [deployer.address, registry, treasury],
      }),
      gas: 0n,
    },
  ]
  try {
    const estimates = await Promise.all(
      deploys.map((d) => estimateGas(client, { account: deployer.address, data: d.data })),
    )
    deploys.forEach((d, i) => {
      d.gas = (estimates[i]! * 6n) / 5n
    })
  } catch (err) {
    throw deployError('estimate deployments', err)
  }
  const tPrepared = Date.now()

  // Round 1: the deployer.
  const ac = ROLES.ATTESTATION_CENTER
  const round1: PlannedTx[] = [
    ...deploys,
    call(
      'registry: grant ATTESTATION_CENTER',
      registry,
      operatorRegistryAbi,
      'grantRole',
      [ac, attestationCenter],
      GAS.role,
    ),
    call(
      'treasury: grant ATTESTATION_CENTER',
      treasury,
      avsTreasuryAbi,
      'grantRole',
      [ac, attestationCenter],
      GAS.role,
    ),
    call(
      'registry: add staking contract',
      registry,
      operatorRegistryAbi,
      'addStakingContract',
      [stakeToken, o.stakeMultiplier],
      GAS.small,
    ),
  ]
  if (o.maxEffectiveBalance > 0n) {
    round1.push(
      call(
        'registry: max effective balance',
        registry,
        operatorRegistryAbi,
        'setMaxEffectiveBalance',
        [o.maxEffectiveBalance],
        GAS.small,
      ),
    )
  }
  if (o.treasuryFunding > 0n) {
    round1.push(
      call(
        'reward token: fund treasury',
        rewardToken,
        testERC20Abi,
        'mint',
        [treasury, o.treasuryFunding],
        GAS.small,
      ),
    )
  }
  if (totalStake > 0n) {
    round1.push(
      call('stake token: mint', stakeToken, testERC20Abi, 'mint', [deployer.address, totalStake], GAS.small),
      call(
        'stake token: approve registry',
        stakeToken,
        testERC20Abi,
        'approve',
        [registry, maxUint256],
        GAS.small,
      ),
    )
  }
  for (const s of specs) {
    if (o.operatorEth > 0n)
      round1.push({
        label: `fund operator ${s.index}`,
        to: s.account.address,
        data: '0x',
        value: o.operatorEth,
        gas: GAS.transfer,
      })
    if (s.stake > 0n) {
      round1.push(
        call(
          `stake for operator ${s.index}`,
          registry,
          operatorRegistryAbi,
          'depositStakeFor',
          [s.account.address, stakeToken, s.stake],
          GAS.stake,
        ),
      )
    }
  }
  const center = (label: string, functionName: string, args: readonly unknown[]) =>
    call(label, attestationCenter, attestationCenterAbi as Abi, functionName, args, GAS.small)
  if (o.grantDeployerRoles) {
    round1.push(
      center('grant EJECTOR', 'setEjector', [deployer.address]),
      center('grant SLASHER', 'setSlasher', [deployer.address]),
      center('grant PAYMENT_REQUESTS', 'setPaymentRequestsRole', [deployer.address]),
    )
  }
  if (o.openAggregator) round1.push(center('open aggregation', 'setIsOpenAggregator', [true]))
  if (o.challengerRewardFee > 0n)
    round1.push(center('challenger reward', 'setChallengerRewardFee', [o.challengerRewardFee]))
  for (const [name, config] of Object.entries(o.slashing) as Array<
    [LocalSlashingCondition, LocalSlashingConfig]
  >) {
    round1.push(center(`slashing ${name}`, 'setSlashingConfig', [LOCAL_SLASHING_CONDITIONS[name], config]))
  }

  const deployerSender = new Sender(chainId, deployer, fees, startNonce)
  const signed1 = []
  for (const tx of round1) signed1.push(await deployerSender.sign(tx))
  const receipts1 = await sendAll(client, signed1, receiptOptions)
  const startBlock = receipts1[0]!.blockNumber
  const tDeployed = Date.now()

  // Round 2: registrations, in spec order.
  const toRegister = specs.filter((s) => s.register)
  let nonces: number[]
  try {
    nonces = await Promise.all(
      toRegister.map((s) => getTransactionCount(client, { address: s.account.address, blockTag: 'pending' })),
    )
  } catch (err) {
    throw rpcError('nonces of the operators', err)
  }
  const signed2 = []
  for (let i = 0; i < toRegister.length; i++) {
    const s = toRegister[i]!
    const sender = new Sender(chainId, s.account, fees, nonces[i]!)
    signed2.push(
      await sender.sign(
        call(
          `register operator ${s.index}`,
          registry,
          operatorRegistryAbi,
          'registerAsOperator',
          [keys[s.index]!.publicKey, { signature: keys[s.index]!.proof! }],
          GAS.register,
        ),
      ),
    )
  }
  await sendAll(client, signed2, receiptOptions)
  const tRegistered = Date.now()

  // Round 3: task definitions (their snapshots now include the operators).
  const round3: PlannedTx[] = []
  for (const d of o.taskDefinitions) {
    round3.push(
      call(
        `task definition "${d.name}"`,
        attestationCenter,
        attestationCenterAbi as Abi,
        'createNewTaskDefinition',
        [
          d.name,
          {
            blockExpiry: d.blockExpiry === undefined || d.blockExpiry === 0n ? maxUint256 : d.blockExpiry,
            baseRewardFeeForAttesters: d.baseRewardFeeForAttesters ?? 0n,
            baseRewardFeeForPerformer: d.baseRewardFeeForPerformer ?? 0n,
            baseRewardFeeForAggregator: d.baseRewardFeeForAggregator ?? 0n,
            disputePeriodBlocks: d.disputePeriodBlocks ?? 0n,
            minimumVotingPower: d.minimumVotingPower ?? 0n,
            restrictedOperatorIndexes: operatorIds(d.restrictedAttesterIds ?? [], 'restricted attester ids'),
          },
        ],
        GAS.definition + 30_000n * BigInt(o.operators.length),
      ),
    )
  }
  const definitions: Array<{ id: number; name: string }> = []
  if (round3.length > 0) {
    let firstId: number
    try {
      firstId =
        Number(
          await readContract(client, {
            address: attestationCenter,
            abi: attestationCenterAbi,
            functionName: 'numOfTaskDefinitions',
          }),
        ) + 1
    } catch (err) {
      throw deployError('read numOfTaskDefinitions', err)
    }
    o.taskDefinitions.forEach((d, i) => {
      const id = firstId + i
      definitions.push({ id, name: d.name })
      if (d.maximumNumberOfAttesters) {
        round3.push(
          call(
            `task definition "${d.name}": maximum attesters`,
            attestationCenter,
            attestationCenterAbi as Abi,
            'setTaskDefinitionMaximumNumberOfAttesters',
            [id, BigInt(d.maximumNumberOfAttesters)],
            GAS.small,
          ),
        )
      }
    })
    const signed3 = []
    for (const tx of round3) signed3.push(await deployerSender.sign(tx))
    await sendAll(client, signed3, receiptOptions)
  }
  const tDefined = Date.now()

  let onChain: Awaited<ReturnType<typeof readOperators>>
  try {
    onChain = await readOperators(
      client,
      registry,
      specs.map((s) => s.account.address),
    )
  } catch (err) {
    throw deployError('read operators', err)
  }
  const operators: LocalOperator[] = specs.map((s) => {
    const record = onChain[s.index]
    return {
      index: s.index,
      id: record?.id ?? 0,
      address: s.account.address,
      ecdsaKey: s.ecdsaKey,
      blsSecretKey: bytesToHex(s.bls.toBytes()),
      blsPublicKey: s.bls.publicKey.toHex(),
      stake: s.stake,
      votingPower: record?.votingPower ?? 0n,
      registered: record?.active === true,
    }
  })

  return {
    rpcUrl: o.rpcUrl,
    chainId,
    deployer: deployer.address,
    contracts: { attestationCenter, registry, treasury, stakeToken, rewardToken },
    operators,
    taskDefinitions: definitions,
    startBlock,
    timings: {
      prepareMs: tPrepared - t0,
      deployMs: tDeployed - tPrepared,
      registerMs: tRegistered - tDeployed,
      definitionsMs: tDefined - tRegistered,
      totalMs: Date.now() - t0,
    },
  }
}
