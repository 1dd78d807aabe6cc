// deployOthenticShapedNetwork: our Othentic-shaped test contracts (contracts/test/othentic) on any
// JSON-RPC chain, with operators registered and task definitions created, in one batch of the
// deployer's transactions: the AttestationCenter (which creates its OBLS), ETH for every operator,
// `registerToNetwork` per operator (the deployer holds MESSAGE_HANDLER, standing in for the L1 →
// L2 message), the task definitions, their maximum attesters, and the OBLS per-definition totals
// (what Othentic's internal task 10002 keeps up to date).
// Plain RPC only (no anvil_* methods): works on anvil, a devnet or a testnet alike. Dev only: these
// contracts present an Othentic deployment's surface for testing and are not Othentic's.
import { SecretKey } from '@wisp/bls'
import {
  type Abi,
  type Address,
  bytesToHex,
  createPublicClient,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  getContractAddress,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
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
  othenticShapedAttestationCenterAbi,
  othenticShapedAttestationCenterBytecode,
  othenticShapedOBLSAbi,
} from '../index.js'
import { DevError, reasonOf } from './errors.js'
import { ANVIL_DEV_KEYS } from './keys.js'

/** Voting power of an operator spec without one (1e18, as deployLocalNetwork's default). */
export const DEFAULT_OTHENTIC_VOTING_POWER = 10n ** 18n

export interface OthenticShapedOperatorSpec {
  ecdsaKey: Hex
  /** 32-byte big-endian BLS secret key; default: Othentic's derivation from the ECDSA key. */
  blsSecretKey?: Hex
  /** Default DEFAULT_OTHENTIC_VOTING_POWER. */
  votingPower?: bigint
  /** Default: the operator's own address. */
  rewardsReceiver?: Address
}

export interface OthenticShapedTaskDefinitionSpec {
  name: string
  /** last block at which tasks are accepted; default 0 = never expires */
  blockExpiry?: bigint
  fees?: { attesters?: bigint; performer?: bigint; aggregator?: bigint }
  disputePeriodBlocks?: bigint
  minimumVotingPower?: bigint
  /** operator ids: the n-th operator of `operators` (1-based) has id n on a fresh deployment */
  restrictedAttesterIds?: readonly number[]
  maximumNumberOfAttesters?: number
}

export interface OthenticShapedNetworkOptions {
  rpcUrl: string
  /** The chain id the RPC must report (DEV_WRONG_CHAIN otherwise); default: whatever it reports. */
  chainId?: number
  /** Deployer, governance and MESSAGE_HANDLER; default anvil's first dev account. */
  deployerKey?: Hex
  operators: readonly OthenticShapedOperatorSpec[]
  taskDefinitions?: readonly OthenticShapedTaskDefinitionSpec[]
  /** 2: the v2 contract; 1: v1 event shapes and no BLS-performer submitTask overload. */
  eventVersion: 1 | 2
  /** ETH sent from the deployer to each operator (they send submitTask / updateBlsKey); default 10 ETH. */
  operatorEth?: bigint
  /** Receipt polling interval; default 20 ms. */
  pollingIntervalMs?: number
  /** DEV_DEPLOY_FAILED after this long without a receipt; default 60 s. */
  receiptTimeoutMs?: number
}

export interface OthenticShapedOperator {
  /** 0-based position in `options.operators` */
  index: number
  /** operator id on chain (1-based) */
  id: number
  address: Address
  ecdsaKey: Hex
  /** 32-byte big-endian BLS secret key (`SecretKey.fromBytes`) */
  blsSecretKey: Hex
  /** 128-byte EVM-encoded G2 key */
  blsPublicKey: Hex
  votingPower: bigint
}

export interface OthenticShapedNetwork {
  rpcUrl: string
  chainId: number
  deployer: Address
  eventVersion: 1 | 2
  contracts: { attestationCenter: Address; obls: Address }
  operators: OthenticShapedOperator[]
  /** the created definitions (id 0, the default, exists without being created) */
  taskDefinitions: Array<{ id: number; name: string }>
  /** block of the AttestationCenter's deployment (watch events from here) */
  startBlock: bigint
}

const GAS = { transfer: 21_000n, register: 400_000n, definition: 300_000n, perId: 50_000n, small: 100_000n }

interface PlannedTx {
  label: string
  to?: Address
  data: Hex
  value?: bigint
  gas: bigint
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint }

function deployError(label: string, cause: unknown): DevError {
  const reason = cause instanceof DevError ? cause.code : reasonOf(cause)
  return new DevError('DEV_DEPLOY_FAILED', `Othentic-shaped deployment failed at "${label}": ${reason}`, {
    details: { step: label, reason },
    cause,
  })
}

function rpcError(what: string, cause: unknown): DevError {
  return new DevError('DEV_RPC_FAILED', `${what}: ${reasonOf(cause)}`, { details: { what }, cause })
}

function invalid(message: string, details: Record<string, unknown> = {}): DevError {
  return new DevError('DEV_INVALID_INPUT', message, { details })
}

async function chooseFees(client: PublicClient): Promise<Fees> {
  try {
    const fees = await estimateFeesPerGas(client)
    // headroom for base-fee movement across the blocks of the deployment
    return { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
  } catch {
    return { gasPrice: ((await getGasPrice(client)) * 3n) / 2n }
  }
}

async function sign(account: PrivateKeyAccount, chainId: number, fees: Fees, nonce: number, tx: PlannedTx) {
  const common = {
    chainId,
    nonce,
    gas: tx.gas,
    data: tx.data,
    ...(tx.to ? { to: tx.to } : {}),
    ...(tx.value ? { value: tx.value } : {}),
  }
  return 'gasPrice' in fees
    ? account.signTransaction({ ...common, type: 'legacy', gasPrice: fees.gasPrice })
    : account.signTransaction({ ...common, type: 'eip1559', ...fees })
}

async function waitForReceipt(client: PublicClient, hash: Hex, pollMs: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await getTransactionReceipt(client, { hash })
    } catch (err) {
      if ((err as { name?: string }).name !== 'TransactionReceiptNotFoundError') throw err
    }
    if (Date.now() >= deadline) throw new Error(`no receipt for ${hash} after ${timeoutMs} ms`)
    await new Promise<void>((resolve) => setTimeout(resolve, pollMs))
  }
}

function operatorIds(ids: readonly number[], definition: string): bigint[] {
  return ids.map((id) => {
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw invalid(`task definition "${definition}": ${String(id)} is not an operator id`, {
        definition,
        id: String(id),
      })
    }
    return BigInt(id)
  })
}

/**
 * Deploys OthenticShapedAttestationCenter (+ its OBLS), funds and registers `operators` (ids 1..n in
 * order), creates `taskDefinitions` (ids 1..m). Deterministic for the same options on a fresh chain.
 * Throws DevError: DEV_INVALID_INPUT, DEV_RPC_FAILED, DEV_WRONG_CHAIN, DEV_DEPLOY_FAILED (details.step).
 */
export async function deployOthenticShapedNetwork(
  options: OthenticShapedNetworkOptions,
): Promise<OthenticShapedNetwork> {
  const pollMs = options.pollingIntervalMs ?? 20
  const timeoutMs = options.receiptTimeoutMs ?? 60_000
  const operatorEth = options.operatorEth ?? 10n * 10n ** 18n
  const definitions = options.taskDefinitions ?? []
  if (options.eventVersion !== 1 && options.eventVersion !== 2) {
    throw invalid(`eventVersion must be 1 or 2, not ${String(options.eventVersion)}`)
  }
  const deployer = privateKeyToAccount(options.deployerKey ?? ANVIL_DEV_KEYS[0])

  // Keys first (CPU work, and bad input fails before anything is sent).
  const seen = new Set<string>()
  const specs = options.operators.map((spec, index) => {
    let account: PrivateKeyAccount
    let bls: SecretKey
    try {
      account = privateKeyToAccount(spec.ecdsaKey)
      bls = spec.blsSecretKey
        ? SecretKey.fromBytes(spec.blsSecretKey)
        : SecretKey.fromEcdsaPrivateKey(spec.ecdsaKey)
    } catch (cause) {
      throw new DevError('DEV_INVALID_INPUT', `operator ${index}: invalid key`, { details: { index }, cause })
    }
    if (seen.has(account.address))
      throw invalid(`operator ${index}: ${account.address} is listed twice`, { index })
    seen.add(account.address)
    const votingPower = spec.votingPower ?? DEFAULT_OTHENTIC_VOTING_POWER
    if (votingPower < 0n) throw invalid(`operator ${index}: negative voting power`, { index })
    return { index, id: index + 1, spec, account, bls, votingPower }
  })
  const defs = definitions.map((d, i) => {
    const restricted = operatorIds(d.restrictedAttesterIds ?? [], d.name)
    const maximum = d.maximumNumberOfAttesters ?? 0
    if (!Number.isSafeInteger(maximum) || maximum < 0) {
      throw invalid(`task definition "${d.name}": bad maximumNumberOfAttesters`, { definition: d.name })
    }
    const minimum = d.minimumVotingPower ?? 0n
    // The definition's eligible power, as internal task 10002 would snapshot it.
    const eligible = specs
      .filter(
        (s) => (restricted.length === 0 || restricted.includes(BigInt(s.id))) && s.votingPower >= minimum,
      )
      .reduce((sum, s) => sum + s.votingPower, 0n)
    return { id: i + 1, d, restricted, maximum, minimum, eligible }
  })

  const client = createPublicClient({
    transport: http(options.rpcUrl, { batch: true, retryCount: 1 }),
    pollingInterval: pollMs,
  })
  let chainId: number
  try {
    chainId = await getChainId(client)
  } catch (err) {
    throw rpcError(`eth_chainId at ${options.rpcUrl}`, err)
  }
  if (options.chainId !== undefined && options.chainId !== chainId) {
    throw new DevError(
      'DEV_WRONG_CHAIN',
      `the RPC is on chain ${chainId}, expected chain ${options.chainId}`,
      {
        details: { expected: options.chainId, actual: chainId },
      },
    )
  }
  let nonce: number
  let fees: Fees
  try {
    ;[nonce, fees] = await Promise.all([
      getTransactionCount(client, { address: deployer.address, blockTag: 'pending' }),
      chooseFees(client),
    ])
  } catch (err) {
    throw rpcError('nonce and fees of the deployer', err)
  }
  const attestationCenter = getContractAddress({ from: deployer.address, nonce: BigInt(nonce) })
  // the AttestationCenter's constructor creates the OBLS: its first creation (contract nonces start at 1)
  const obls = getContractAddress({ from: attestationCenter, nonce: 1n })

  const deployData = encodeDeployData({
    abi: othenticShapedAttestationCenterAbi,
    bytecode: othenticShapedAttestationCenterBytecode,
    args: [deployer.address, options.eventVersion === 1],
  })
  let deployGas: bigint
  try {
    deployGas = ((await estimateGas(client, { account: deployer.address, data: deployData })) * 6n) / 5n
  } catch (err) {
    throw deployError('estimate the AttestationCenter deployment', err)
  }
  const center = (label: string, functionName: string, args: readonly unknown[], gas: bigint): PlannedTx => ({
    label,
    to: attestationCenter,
    data: encodeFunctionData({ abi: othenticShapedAttestationCenterAbi as Abi, functionName, args }),
    gas,
  })
  const plan: PlannedTx[] = [
    { label: 'deploy OthenticShapedAttestationCenter', data: deployData, gas: deployGas },
  ]
  for (const s of specs) {
    if (operatorEth > 0n) {
      plan.push({
        label: `fund operator ${s.index}`,
        to: s.account.address,
        data: '0x',
        value: operatorEth,
        gas: GAS.transfer,
      })
    }
  }
  for (const s of specs) {
    plan.push(
      center(
        `register operator ${s.index}`,
        'registerToNetwork',
        [
          s.account.address,
          s.votingPower,
          s.bls.publicKey.toEvm(),
          s.spec.rewardsReceiver ?? s.account.address,
        ],
        GAS.register,
      ),
    )
  }
  for (const { id, d, restricted, maximum, minimum, eligible } of defs) {
    plan.push(
      center(
        `task definition "${d.name}"`,
        'createNewTaskDefinition',
        [
          d.name,
          {
            blockExpiry: d.blockExpiry ?? 0n,
            baseRewardFeeForAttesters: d.fees?.attesters ?? 0n,
            baseRewardFeeForPerformer: d.fees?.performer ?? 0n,
            baseRewardFeeForAggregator: d.fees?.aggregator ?? 0n,
            disputePeriodBlocks: d.disputePeriodBlocks ?? 0n,
            minimumVotingPower: minimum,
            restrictedOperatorIndexes: restricted,
          },
        ],
        GAS.definition + GAS.perId * BigInt(restricted.length),
      ),
    )
    if (maximum > 0) {
      plan.push(
        center(
          `task definition "${d.name}": maximum attesters`,
          'setTaskDefinitionMaximumNumberOfAttesters',
          [id, BigInt(maximum)],
          GAS.small,
        ),
      )
    }
    if (restricted.length > 0 || minimum > 0n) {
      plan.push({
        label: `task definition "${d.name}": OBLS total`,
        to: obls,
        data: encodeFunctionData({
          abi: othenticShapedOBLSAbi,
          functionName: 'setTotalVotingPowerPerTaskDefinition',
          args: [BigInt(id), eligible],
        }),
        gas: GAS.small,
      })
    }
  }

  // Send in nonce order, then wait for every receipt; a revert is replayed to name its reason.
  const hashes: Hex[] = []
  for (let i = 0; i < plan.length; i++) {
    const tx = plan[i]!
    try {
      const raw = await sign(deployer, chainId, fees, nonce + i, tx)
      hashes.push(await sendRawTransaction(client, { serializedTransaction: raw }))
    } catch (err) {
      throw deployError(tx.label, err)
    }
  }
  const receipts: TransactionReceipt[] = await Promise.all(
    hashes.map((hash, i) =>
      waitForReceipt(client, hash, pollMs, timeoutMs).catch((err: unknown) => {
        throw deployError(plan[i]!.label, err)
      }),
    ),
  )
  for (let i = 0; i < receipts.length; i++) {
    const receipt = receipts[i]!
    if (receipt.status === 'success') continue
    const tx = plan[i]!
    let reason: unknown = new Error('contract creation reverted')
    if (tx.to) {
      try {
        await ethCall(client, {
          account: deployer.address,
          to: tx.to,
          data: tx.data,
          blockNumber: receipt.blockNumber,
        })
        reason = new Error(`reverted (gas used ${receipt.gasUsed}) and the replay gives no reason`)
      } catch (err) {
        reason = err
      }
    }
    throw deployError(tx.label, reason)
  }

  // Read back what the chain says (ids, the OBLS address), so a surprise shows here and not in a test.
  let onChain: { obls: Address; ids: bigint[] }
  try {
    const [oblsAddress, ...ids] = await Promise.all([
      readContract(client, {
        address: attestationCenter,
        abi: othenticShapedAttestationCenterAbi,
        functionName: 'obls',
      }),
      ...specs.map((s) =>
        readContract(client, {
          address: attestationCenter,
          abi: othenticShapedAttestationCenterAbi,
          functionName: 'operatorsIdsByAddress',
          args: [s.account.address],
        }),
      ),
    ])
    onChain = { obls: getAddress(oblsAddress as Address), ids: ids as bigint[] }
  } catch (err) {
    throw deployError('read back operators', err)
  }
  if (onChain.obls !== obls || onChain.ids.some((id, i) => id !== BigInt(i + 1))) {
    throw deployError(
      'read back operators',
      new Error('the chain disagrees with the planned ids or OBLS address'),
    )
  }

  return {
    rpcUrl: options.rpcUrl,
    chainId,
    deployer: deployer.address,
    eventVersion: options.eventVersion,
    contracts: { attestationCenter, obls },
    operators: specs.map((s) => ({
      index: s.index,
      id: s.id,
      address: s.account.address,
      ecdsaKey: s.spec.ecdsaKey,
      blsSecretKey: bytesToHex(s.bls.toBytes()),
      blsPublicKey: s.bls.publicKey.toHex(),
      votingPower: s.votingPower,
    })),
    taskDefinitions: defs.map(({ id, d }) => ({ id, name: d.name })),
    startBlock: receipts[0]!.blockNumber,
  }
}
