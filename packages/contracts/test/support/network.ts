// The contract set on an anvil (deployed by @wisp/contracts/dev's deployLocalNetwork), operators
// registered with real BLS keys, submissions with real signatures (test and bench helper).
import { aggregateSignatures, hashToPoint, SecretKey, signProofOfPossession } from '@wisp/bls'
import { DOMAIN_TASKS, type TaskInfo, taskHash, voteHash } from '@wisp/protocol'
import {
  type Abi,
  type Address,
  type Chain,
  createTestClient,
  decodeErrorResult,
  defineChain,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  maxUint256,
  parseEther,
  publicActions,
  stringToHex,
  type TransactionReceipt,
  walletActions,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { ANVIL_DEV_KEYS, type Anvil, deployLocalNetwork, WAD } from '../../src/dev/index.js'
import { attestationCenterAbi, operatorRegistryAbi } from '../../src/index.js'

export { WAD }
/** anvil's first default account: the deployer and governance. */
export const GOVERNANCE_KEY: Hex = ANVIL_DEV_KEYS[0]

export function makeClient(anvil: Anvil) {
  const chain: Chain = defineChain({
    id: anvil.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  })
  return createTestClient({ chain, mode: 'anvil', transport: http(anvil.rpcUrl), pollingInterval: 50 })
    .extend(publicActions)
    .extend(walletActions)
}

export type Client = ReturnType<typeof makeClient>

export interface Operator {
  /** 1-based position in creation order (equal to the operator id when registered in order). */
  index: number
  privateKey: Hex
  account: LocalAccount
  address: Address
  bls: SecretKey
  id: bigint
}

const keyCache = new Map<number, { privateKey: Hex; account: LocalAccount; bls: SecretKey }>()

/**
 * Deterministic operator keys; the BLS key uses Othentic's derivation from the ECDSA key. Keys are
 * cached per index (deriving a G2 public key is the slow part of registering operators).
 */
export function makeOperator(index: number): Operator {
  let keys = keyCache.get(index)
  if (!keys) {
    const privateKey = keccak256(stringToHex(`wisp-contracts-test-operator-${index}`))
    keys = {
      privateKey,
      account: privateKeyToAccount(privateKey),
      bls: SecretKey.fromEcdsaPrivateKey(privateKey),
    }
    keyCache.set(index, keys)
  }
  return { index, ...keys, address: keys.account.address, id: 0n }
}

/** anvil mines on send (automine), so the receipt exists at once; poll briefly otherwise. */
export async function receiptOf(client: Client, hash: Hex): Promise<TransactionReceipt> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.getTransactionReceipt({ hash })
    } catch (error) {
      if (attempt >= 100) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

/** Sends a transaction and returns its receipt; throws (with revert data) when it reverts. */
export async function send(
  client: Client,
  params: {
    address: Address
    abi: Abi
    functionName: string
    args?: readonly unknown[]
    account: LocalAccount
  },
  gas?: bigint,
): Promise<TransactionReceipt> {
  const data = encodeFunctionData({
    abi: params.abi,
    functionName: params.functionName,
    args: params.args ?? [],
  })
  const hash = await client.sendTransaction({
    account: params.account,
    to: params.address,
    data,
    chain: client.chain,
    ...(gas === undefined ? {} : { gas }),
  })
  const receipt = await receiptOf(client, hash)
  if (receipt.status !== 'success') throw new Error(`transaction reverted: ${params.functionName}`)
  return receipt
}

export async function deploy(
  client: Client,
  account: LocalAccount,
  abi: Abi,
  bytecode: Hex,
  args: readonly unknown[] = [],
): Promise<Address> {
  const hash = await client.deployContract({ abi, bytecode, args, account, chain: client.chain })
  const receipt = await receiptOf(client, hash)
  if (!receipt.contractAddress || receipt.status !== 'success') throw new Error('deployment failed')
  return getAddress(receipt.contractAddress)
}

export interface Network {
  client: Client
  chainId: number
  governance: LocalAccount
  stakeToken: Address
  rewardToken: Address
  registry: Address
  treasury: Address
  attestationCenter: Address
  operators: Operator[]
}

/**
 * TestERC20 ×2, OperatorRegistry, AvsTreasury (funded) and AttestationCenter, wired together, no
 * operators. Roles stay with governance alone (tests grant EJECTOR, SLASHER, PAYMENT_REQUESTS
 * themselves); governance holds stake tokens, approved for the registry, to stake for operators.
 */
export async function deployNetwork(anvil: Anvil): Promise<Network> {
  const local = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    deployerKey: GOVERNANCE_KEY,
    grantDeployerRoles: false,
    deployerStake: parseEther('1000000000'),
    treasuryFunding: parseEther('1000000'),
  })
  return {
    client: makeClient(anvil),
    chainId: local.chainId,
    governance: privateKeyToAccount(GOVERNANCE_KEY),
    ...local.contracts,
    operators: [],
  }
}

/** Stakes `stakes[i]` for a new operator i (funded by governance) and registers it with a proof of possession. */
export async function registerOperators(net: Network, stakes: readonly bigint[]): Promise<Operator[]> {
  const added: Operator[] = []
  for (const stake of stakes) {
    const op = makeOperator(net.operators.length + 1)
    await net.client.setBalance({ address: op.address, value: parseEther('100') })
    if (stake > 0n) {
      await send(net.client, {
        address: net.registry,
        abi: operatorRegistryAbi,
        functionName: 'depositStakeFor',
        args: [op.address, net.stakeToken, stake],
        account: net.governance,
      })
    }
    await registerOperator(net, op)
    net.operators.push(op)
    added.push(op)
  }
  return added
}

export async function registerOperator(net: Network, op: Operator): Promise<void> {
  const pop = signProofOfPossession(op.bls, {
    operator: op.address,
    contract: net.registry,
    chainId: net.chainId,
  })
  await send(net.client, {
    address: net.registry,
    abi: operatorRegistryAbi,
    functionName: 'registerAsOperator',
    args: [op.bls.publicKey.toEvm(), { signature: pop.toEvm() }],
    account: op.account,
  })
  op.id = await net.client.readContract({
    address: net.registry,
    abi: operatorRegistryAbi,
    functionName: 'operatorsIdsByAddress',
    args: [op.address],
  })
}

// ------------------------------------------------------------------ tasks

let taskCounter = 0

/** A fresh task (unique proofOfTask) performed by `performer`. */
export function makeTask(performer: Operator, taskDefinitionId = 0, data: Hex = '0x68656c6c6f'): TaskInfo {
  taskCounter += 1
  return { proofOfTask: `QmTask${taskCounter}`, data, taskPerformer: performer.address, taskDefinitionId }
}

export function voteDigest(net: Network, task: TaskInfo, isApproved: boolean): Hex {
  return voteHash(task, { attestationCenter: net.attestationCenter, chainId: net.chainId, isApproved })
}

/** Each signer's own BLS vote, aggregated; ids sorted ascending. */
export function signVotes(net: Network, task: TaskInfo, signers: readonly Operator[], isApproved: boolean) {
  const hashed = hashToPoint(DOMAIN_TASKS, voteDigest(net, task, isApproved))
  const sorted = [...signers].sort((a, b) => (a.id < b.id ? -1 : 1))
  const signature = aggregateSignatures(sorted.map((op) => op.bls.signPoint(hashed)))
  return { taSignature: signature.toEvm(), attestersIds: sorted.map((op) => op.id) }
}

export async function ecdsaPerformerSignature(task: TaskInfo, performer: Operator): Promise<Hex> {
  return performer.account.sign!({ hash: taskHash(task) })
}

export function blsPerformerSignature(task: TaskInfo, performer: Operator) {
  return performer.bls.sign(DOMAIN_TASKS, taskHash(task)).toEvm()
}

type AbiFunction = Extract<(typeof attestationCenterAbi)[number], { type: 'function' }>

function submitTaskItem(tpSignatureType: 'bytes' | 'uint256[2]'): AbiFunction {
  const item = attestationCenterAbi.find(
    (i): i is AbiFunction =>
      i.type === 'function' &&
      i.name === 'submitTask' &&
      'components' in i.inputs[1]! &&
      i.inputs[1].components.some((c) => c.name === 'tpSignature' && c.type === tpSignatureType),
  )
  if (!item) throw new Error('submitTask overload not found')
  return item
}

/** ABI items of the two overloads, so calls never depend on overload resolution. */
export const submitTaskEcdsaAbi = [submitTaskItem('bytes')] as const
export const submitTaskBlsAbi = [submitTaskItem('uint256[2]')] as const

export interface Submission {
  isApproved: boolean
  taSignature: readonly [bigint, bigint]
  attestersIds: readonly bigint[]
}

export function submitEcdsaData(task: TaskInfo, tpSignature: Hex, s: Submission): Hex {
  return encodeFunctionData({
    abi: submitTaskEcdsaAbi as unknown as Abi,
    functionName: 'submitTask',
    args: [
      task,
      { isApproved: s.isApproved, tpSignature, taSignature: s.taSignature, attestersIds: s.attestersIds },
    ],
  })
}

export function submitBlsData(task: TaskInfo, tpSignature: readonly [bigint, bigint], s: Submission): Hex {
  return encodeFunctionData({
    abi: submitTaskBlsAbi as unknown as Abi,
    functionName: 'submitTask',
    args: [
      task,
      { isApproved: s.isApproved, tpSignature, taSignature: s.taSignature, attestersIds: s.attestersIds },
    ],
  })
}

/** Sends raw calldata to the AttestationCenter; returns the receipt. */
export async function sendData(net: Network, data: Hex, account: LocalAccount, gas?: bigint) {
  const hash = await net.client.sendTransaction({
    account,
    to: net.attestationCenter,
    data,
    chain: net.client.chain,
    ...(gas === undefined ? {} : { gas }),
  })
  const receipt = await receiptOf(net.client, hash)
  if (receipt.status !== 'success') throw new Error('transaction reverted')
  return receipt
}

/**
 * Runs `data` as an eth_call from `from` and decodes the revert with viem's decodeErrorResult against
 * `abi`; returns undefined when the call succeeds.
 */
export async function revertOf(
  net: Network,
  to: Address,
  data: Hex,
  from: Address,
  abi: Abi = attestationCenterAbi,
): Promise<{ errorName: string; args: readonly unknown[] } | undefined> {
  try {
    await net.client.call({ account: from, to, data })
    return undefined
  } catch (error) {
    const raw = findRevertData(error)
    if (!raw) throw error
    const decoded = decodeErrorResult({ abi, data: raw })
    return { errorName: decoded.errorName, args: (decoded.args ?? []) as readonly unknown[] }
  }
}

function findRevertData(error: unknown): Hex | undefined {
  let current: unknown = error
  for (let depth = 0; current && depth < 10; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && data.startsWith('0x') && data.length >= 10) return data as Hex
    if (data && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
      return (data as { data: Hex }).data
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

// ------------------------------------------------------------------ per-file fixture

/**
 * One anvil per test file with the contracts deployed once; `reset()` (call it in beforeEach) reverts
 * the chain to the freshly deployed state, so each test starts from the same, operator-free network.
 */
export async function createFixture(anvil: Anvil) {
  const net = await deployNetwork(anvil)
  let snapshot = await net.client.snapshot()
  return {
    net,
    async reset() {
      await net.client.revert({ id: snapshot })
      snapshot = await net.client.snapshot()
      net.operators = []
    },
  }
}

export const ac = (net: Network) => ({ address: net.attestationCenter, abi: attestationCenterAbi as Abi })
export const registryContract = (net: Network) => ({ address: net.registry, abi: operatorRegistryAbi as Abi })

/** Governance call on the AttestationCenter. */
export function govAc(net: Network, functionName: string, args: readonly unknown[] = []) {
  return send(net.client, { ...ac(net), functionName, args, account: net.governance })
}

export function readAc<T>(net: Network, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return net.client.readContract({ ...ac(net), functionName, args }) as Promise<T>
}

export function readRegistry<T>(
  net: Network,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<T> {
  return net.client.readContract({ ...registryContract(net), functionName, args }) as Promise<T>
}

export interface DefinitionParams {
  blockExpiry?: bigint
  baseRewardFeeForAttesters?: bigint
  baseRewardFeeForPerformer?: bigint
  baseRewardFeeForAggregator?: bigint
  disputePeriodBlocks?: bigint
  minimumVotingPower?: bigint
  restrictedOperatorIndexes?: readonly bigint[]
}

/** Creates a task definition; returns its id (definitions are numbered 1, 2, … in creation order). */
export async function createDefinition(
  net: Network,
  params: DefinitionParams = {},
  name = 'test',
): Promise<number> {
  await govAc(net, 'createNewTaskDefinition', [
    name,
    {
      blockExpiry: params.blockExpiry ?? maxUint256,
      baseRewardFeeForAttesters: params.baseRewardFeeForAttesters ?? 0n,
      baseRewardFeeForPerformer: params.baseRewardFeeForPerformer ?? 0n,
      baseRewardFeeForAggregator: params.baseRewardFeeForAggregator ?? 0n,
      disputePeriodBlocks: params.disputePeriodBlocks ?? 0n,
      minimumVotingPower: params.minimumVotingPower ?? 0n,
      restrictedOperatorIndexes: params.restrictedOperatorIndexes ?? [],
    },
  ])
  return Number(await readAc<number>(net, 'numOfTaskDefinitions'))
}

export interface SubmitOptions {
  performer: Operator
  signers: readonly Operator[]
  isApproved?: boolean
  /** sender (aggregator); defaults to the performer */
  from?: LocalAccount
  overload?: 'ecdsa' | 'bls'
  /** replace the computed attester ids (e.g. unsorted) */
  attestersIds?: readonly bigint[]
  /** replace the computed aggregate */
  taSignature?: readonly [bigint, bigint]
  tpSignature?: Hex | readonly [bigint, bigint]
}

/** Builds the submitTask calldata for `task` with real signatures. */
export async function buildSubmission(net: Network, task: TaskInfo, o: SubmitOptions): Promise<Hex> {
  const isApproved = o.isApproved ?? true
  const votes = signVotes(net, task, o.signers, isApproved)
  const submission: Submission = {
    isApproved,
    taSignature: o.taSignature ?? votes.taSignature,
    attestersIds: o.attestersIds ?? votes.attestersIds,
  }
  if ((o.overload ?? 'ecdsa') === 'ecdsa') {
    const tp = (o.tpSignature as Hex | undefined) ?? (await ecdsaPerformerSignature(task, o.performer))
    return submitEcdsaData(task, tp, submission)
  }
  const tp =
    (o.tpSignature as readonly [bigint, bigint] | undefined) ?? blsPerformerSignature(task, o.performer)
  return submitBlsData(task, tp, submission)
}

/** Submits and returns the receipt. */
export async function submit(net: Network, task: TaskInfo, o: SubmitOptions) {
  const data = await buildSubmission(net, task, o)
  return sendData(net, data, o.from ?? o.performer.account)
}

/** Simulates the submission and returns the decoded custom error (undefined when it would succeed). */
export async function submitError(net: Network, task: TaskInfo, o: SubmitOptions) {
  const data = await buildSubmission(net, task, o)
  return revertOf(net, net.attestationCenter, data, (o.from ?? o.performer.account).address)
}
