// The engine's ChainPort and the network layer's operator / task-definition directories, on viem.
// Both are structural: this package does not import @wisp/core or @wisp/p2p (they depend on it).
import { attestationCenterAbi, operatorRegistryAbi } from '@wisp/contracts'
import type {
  ChainPort,
  DoubleAttestationProof,
  IncorrectAttestationProof,
  OutcomeCheck,
  SlashOutcome,
  SubmitTaskOutcome,
  SubmitTaskParams,
  TaskOutcomeChecker,
} from '@wisp/interface'
import { type Address, getAddress, isAddress } from 'viem'
import { getBlockNumber, getChainId, getCode } from 'viem/actions'
import { g1Words } from './actions/encoding.js'
import { createOutcomeChecker } from './actions/outcome.js'
import {
  getNetworkTotal,
  getOperators,
  getRegistryAddress,
  getTaskDefinition,
  getTaskDefinitionCount,
  isInternalTaskDefinition,
  type OperatorRecord,
  type TaskDefinitionRecord,
} from './actions/read.js'
import {
  type SlashResult,
  slashOperatorForDoubleAttestation,
  slashOperatorForIncorrectAttestation,
} from './actions/slashing.js'
import { sendSubmitTask } from './actions/submit.js'
import { ChainError, toChainError } from './errors.js'
import { type AnyClient, DEFAULT_RECEIPT_OPTIONS, read } from './transact.js'

export interface ChainPortOptions {
  attestationCenter: Address
  /** The chain id the RPC must report; defaults to the public client's chain, else whatever the RPC says. */
  chainId?: number
  /** Check at creation that there is code at `attestationCenter` and that it answers as an AttestationCenter. */
  verifyContract: boolean
  /** Receipt polling interval. */
  pollingIntervalMs: number
  /** CHAIN_TIMEOUT after this long without a receipt. */
  receiptTimeoutMs: number
  /** A submission still pending after this long is replaced with higher fees (same nonce). */
  bumpAfterMs: number
  /** How long `checkTaskOutcome` waits for an announced transaction's receipt (see below). */
  outcomeWindowMs: number
}

/**
 * One Ethereum slot: the node that announced an outcome read its receipt from its own RPC, and a
 * provider that lags a block or two must not make an honest announcement look made up. A local
 * network mines at once and can use far less.
 */
export const DEFAULT_OUTCOME_WINDOW_MS = 12_000

export const DEFAULT_CHAIN_PORT_OPTIONS: Omit<ChainPortOptions, 'attestationCenter'> = {
  verifyContract: true,
  pollingIntervalMs: DEFAULT_RECEIPT_OPTIONS.pollingIntervalMs,
  receiptTimeoutMs: DEFAULT_RECEIPT_OPTIONS.receiptTimeoutMs,
  bumpAfterMs: DEFAULT_RECEIPT_OPTIONS.bumpAfterMs,
  outcomeWindowMs: DEFAULT_OUTCOME_WINDOW_MS,
}

export interface ChainPortComponents {
  /** reads */
  publicClient: AnyClient
  /** writes (submitTask); needs an account. Without it, submitTask throws CHAIN_NO_ACCOUNT. */
  walletClient?: AnyClient
}

/** The engine's ChainPort, with the registry it resolved and the contracts' full records. */
export interface WispChainPort extends ChainPort {
  readonly registry: Address
  getOperators(): Promise<OperatorRecord[]>
  getTaskDefinition(id: number): Promise<TaskDefinitionRecord | undefined>
  /**
   * Simulates, sends, waits for the receipt. `MessageAlreadySigned` (in simulation, or after
   * losing a race on chain) is `{status: 'already-submitted'}`; any other revert throws a
   * ChainError whose code is the contract error's name.
   */
  submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome>
  /** Receipt-based, cached; waits up to `outcomeWindowMs` for a receipt. Never throws. */
  checkTaskOutcome: TaskOutcomeChecker['checkTaskOutcome']
  /** `slashOperatorForDoubleAttestation`, sent in turn with submissions (one account, one nonce sequence). */
  proveDoubleAttestation(proof: DoubleAttestationProof): Promise<SlashOutcome>
  /** `slashOperatorForIncorrectAttestation`, likewise */
  proveIncorrectAttestation(proof: IncorrectAttestationProof): Promise<SlashOutcome>
}

/**
 * Checks that the RPC answers with the expected chain id (CHAIN_WRONG_CHAIN), that there is code
 * at the address (CHAIN_NOT_A_CONTRACT) and that it answers `obls()` with a registry that has
 * code (CHAIN_NOT_AN_ATTESTATION_CENTER). An unreachable RPC is CHAIN_RPC_FAILED. Returns the
 * chain id and the registry.
 */
export async function verifyAttestationCenter(
  client: AnyClient,
  params: { attestationCenter: Address; chainId?: number },
): Promise<{ chainId: number; registry: Address }> {
  if (!isAddress(params.attestationCenter, { strict: false })) {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `attestationCenter ${params.attestationCenter} is not an address`,
    )
  }
  let chainId: number
  try {
    chainId = await getChainId(client)
  } catch (err) {
    throw toChainError(err, { functionName: 'eth_chainId' })
  }
  const expected = params.chainId ?? client.chain?.id
  if (expected !== undefined && expected !== chainId) {
    throw new ChainError('CHAIN_WRONG_CHAIN', `the RPC is on chain ${chainId}, expected chain ${expected}`, {
      details: { expected, actual: chainId },
    })
  }
  const center = getAddress(params.attestationCenter)
  const code = await getCode(client, { address: center }).catch((err: unknown) => {
    throw toChainError(err, { address: center, functionName: 'eth_getCode' })
  })
  if (code === undefined || code === '0x') {
    throw new ChainError('CHAIN_NOT_A_CONTRACT', `no contract at ${center} on chain ${chainId}`, {
      details: { address: center, chainId },
    })
  }
  let registry: Address
  try {
    registry = await getRegistryAddress(client, { attestationCenter: center })
    await read<bigint>(client, {
      address: registry,
      abi: operatorRegistryAbi,
      functionName: 'numOfTotalOperators',
    })
    await read<number>(client, { address: center, abi: attestationCenterAbi, functionName: 'taskNumber' })
  } catch (err) {
    const error = toChainError(err, { address: center })
    if (error.code === 'CHAIN_RPC_FAILED') throw error
    throw new ChainError(
      'CHAIN_NOT_AN_ATTESTATION_CENTER',
      `the contract at ${center} does not answer as an AttestationCenter (${error.message})`,
      { details: { address: center, chainId }, cause: error },
    )
  }
  return { chainId, registry }
}

/**
 * A ChainPort for the engine. Verifies the chain id and the contract first (see
 * {@link verifyAttestationCenter}); writes go through `walletClient`: sent one at a time so that
 * nonces of one account never collide, mined concurrently.
 */
export async function createChainPort(
  options: Partial<ChainPortOptions> & Pick<ChainPortOptions, 'attestationCenter'>,
  components: ChainPortComponents,
): Promise<WispChainPort> {
  const opts: ChainPortOptions = { ...DEFAULT_CHAIN_PORT_OPTIONS, ...options }
  const { publicClient, walletClient } = components
  const attestationCenter = getAddress(opts.attestationCenter)
  let chainId: number
  let registry: Address
  if (opts.verifyContract) {
    ;({ chainId, registry } = await verifyAttestationCenter(publicClient, {
      attestationCenter,
      ...(opts.chainId === undefined ? {} : { chainId: opts.chainId }),
    }))
  } else {
    chainId =
      opts.chainId ??
      publicClient.chain?.id ??
      (await getChainId(publicClient).catch((err: unknown) => {
        throw toChainError(err, { functionName: 'eth_chainId' })
      }))
    registry = await getRegistryAddress(publicClient, { attestationCenter })
  }
  if (walletClient?.chain && walletClient.chain.id !== chainId) {
    throw new ChainError(
      'CHAIN_WRONG_CHAIN',
      `the wallet client is configured for chain ${walletClient.chain.id}, the RPC is chain ${chainId}`,
      { details: { expected: chainId, actual: walletClient.chain.id } },
    )
  }
  const center = { attestationCenter, registry }
  let queue: Promise<unknown> = Promise.resolve()
  const checkOutcome = createOutcomeChecker(publicClient, {
    attestationCenter,
    windowMs: opts.outcomeWindowMs,
    pollingIntervalMs: opts.pollingIntervalMs,
  })
  /** Slashing proofs go in turn with submissions: the same account's nonces must not collide. */
  const inTurn = (send: () => Promise<SlashResult>): Promise<SlashOutcome> => {
    const sent = queue.then(send, send)
    queue = sent.catch(() => undefined)
    return sent.then((r) => ({
      txHash: r.txHash,
      slashedStake: r.slashedStake,
      challengerReward: r.challengerReward,
      ejected: r.ejected,
    }))
  }
  const noAccount = (functionName: string) =>
    new ChainError('CHAIN_NO_ACCOUNT', `${functionName} needs a wallet client with an account`, {
      details: { functionName },
    })

  return {
    chainId,
    attestationCenter,
    registry,
    async getBlockNumber() {
      try {
        return await getBlockNumber(publicClient, { cacheTime: 0 })
      } catch (err) {
        throw toChainError(err, { functionName: 'eth_blockNumber' })
      }
    },
    getOperators: () => getOperators(publicClient, center),
    getNetworkTotal: () => getNetworkTotal(publicClient, center),
    // an id that cannot be a uint16 cannot name a definition
    getTaskDefinition: async (id: number) =>
      Number.isInteger(id) && id >= 0 && id <= 0xffff
        ? getTaskDefinition(publicClient, { ...center, id })
        : undefined,
    submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome> {
      if (!walletClient?.account) {
        return Promise.reject(
          new ChainError('CHAIN_NO_ACCOUNT', 'submitTask needs a wallet client with an account', {
            details: { functionName: 'submitTask' },
          }),
        )
      }
      const alreadyDone = (err: unknown): SubmitTaskOutcome => {
        if ((err as { code?: string }).code === 'MessageAlreadySigned') return { status: 'already-submitted' }
        throw err
      }
      // Sends go one at a time (a local account's nonce comes from the node's pending count); the
      // wait for the block does not hold the queue, so a burst's submissions share blocks.
      const send = () =>
        sendSubmitTask(walletClient, {
          ...params,
          attestationCenter,
          pollingIntervalMs: opts.pollingIntervalMs,
          receiptTimeoutMs: opts.receiptTimeoutMs,
          bumpAfterMs: opts.bumpAfterMs,
        })
      const sent = queue.then(send, send)
      queue = sent.catch(() => undefined)
      return sent
        .then((tx) => tx.confirmed())
        .then(
          (result): SubmitTaskOutcome => ({
            status: 'included',
            txHash: result.txHash,
            blockNumber: result.blockNumber,
            event: result.event.event,
          }),
        )
        .catch(alreadyDone)
    },
    checkTaskOutcome: (outcome): Promise<OutcomeCheck> => checkOutcome(outcome),
    proveDoubleAttestation(proof) {
      if (!walletClient?.account) return Promise.reject(noAccount('slashOperatorForDoubleAttestation'))
      // a malformed proof fails here, coded, without waiting its turn
      let approveSignature: readonly [bigint, bigint]
      let rejectSignature: readonly [bigint, bigint]
      try {
        approveSignature = g1(proof.approveSignature, 'approveSignature')
        rejectSignature = g1(proof.rejectSignature, 'rejectSignature')
      } catch (err) {
        return Promise.reject(err)
      }
      return inTurn(() =>
        slashOperatorForDoubleAttestation(walletClient, {
          attestationCenter,
          task: proof.task,
          operator: proof.operator,
          approveSignature,
          rejectSignature,
          pollingIntervalMs: opts.pollingIntervalMs,
          receiptTimeoutMs: opts.receiptTimeoutMs,
        }),
      )
    },
    proveIncorrectAttestation(proof) {
      if (!walletClient?.account) return Promise.reject(noAccount('slashOperatorForIncorrectAttestation'))
      let incorrectSignature: readonly [bigint, bigint]
      let aggregateSignature: readonly [bigint, bigint]
      try {
        incorrectSignature = g1(proof.incorrectSignature, 'incorrectSignature')
        aggregateSignature = g1(proof.aggregateSignature, 'aggregateSignature')
      } catch (err) {
        return Promise.reject(err)
      }
      return inTurn(() =>
        slashOperatorForIncorrectAttestation(walletClient, {
          attestationCenter,
          task: proof.task,
          operator: proof.operator,
          isApproved: proof.isApproved,
          incorrectSignature,
          aggregateSignature,
          attesterIds: proof.attesterIds,
          pollingIntervalMs: opts.pollingIntervalMs,
          receiptTimeoutMs: opts.receiptTimeoutMs,
        }),
      )
    },
  }
}

export interface ChainDirectoryOptions {
  attestationCenter: Address
  /** how old the cached operator set and definition count may get before a lookup reloads them */
  maxAgeMs: number
  /** at most one reload per this interval when an unknown id or address is looked up */
  unknownRefreshMs: number
  /** how long `checkTaskOutcome` waits for an announced transaction's receipt */
  outcomeWindowMs: number
  /** and how often it asks meanwhile */
  outcomePollingIntervalMs: number
}

export const DEFAULT_CHAIN_DIRECTORY_OPTIONS: Omit<ChainDirectoryOptions, 'attestationCenter'> = {
  maxAgeMs: 12_000,
  unknownRefreshMs: 2_000,
  outcomeWindowMs: DEFAULT_OUTCOME_WINDOW_MS,
  outcomePollingIntervalMs: 1_000,
}

/** p2p's OperatorDirectory and TaskDefinitionDirectory (structurally), cached and refreshable. */
export interface ChainDirectory {
  getOperator(id: number): Promise<OperatorRecord | undefined>
  getOperatorByAddress(address: Address): Promise<OperatorRecord | undefined>
  hasTaskDefinition(id: number): Promise<boolean>
  /** every operator ever registered (cached) */
  getOperators(): Promise<OperatorRecord[]>
  /** reload now (concurrent callers share one reload) */
  refresh(): Promise<void>
  /** p2p's TaskOutcomeChecker: a gossiped TaskSubmitted checked against its receipt (cached) */
  checkTaskOutcome: TaskOutcomeChecker['checkTaskOutcome']
}

/**
 * Operators and task definitions from the chain, for the network layer's validators: a cached
 * snapshot, reloaded when older than `maxAgeMs` or (rate-limited) when an unknown operator or
 * definition is looked up, so a flood of garbage ids cannot hammer the RPC.
 */
export function createChainDirectory(
  options: Partial<ChainDirectoryOptions> & Pick<ChainDirectoryOptions, 'attestationCenter'>,
  components: { publicClient: AnyClient; now?: () => number },
): ChainDirectory {
  const opts: ChainDirectoryOptions = { ...DEFAULT_CHAIN_DIRECTORY_OPTIONS, ...options }
  const { publicClient } = components
  const now = components.now ?? Date.now
  const center = { attestationCenter: getAddress(opts.attestationCenter) }
  let byId = new Map<number, OperatorRecord>()
  let byAddress = new Map<string, OperatorRecord>()
  let definitionCount = -1
  let loadedAt = Number.NEGATIVE_INFINITY
  let lastUnknownRefresh = Number.NEGATIVE_INFINITY
  let inflight: Promise<void> | undefined

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      try {
        const [operators, count] = await Promise.all([
          getOperators(publicClient, center),
          getTaskDefinitionCount(publicClient, center),
        ])
        byId = new Map(operators.map((o) => [o.id, o]))
        byAddress = new Map(operators.map((o) => [o.address.toLowerCase(), o]))
        definitionCount = count
        loadedAt = now()
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }
  const fresh = async () => {
    if (now() - loadedAt > opts.maxAgeMs) await refresh()
  }
  const retryUnknown = async () => {
    // a reload already under way may bring the newcomer: wait for it rather than answer "unknown"
    if (inflight !== undefined) {
      await inflight
      return true
    }
    if (now() - lastUnknownRefresh < opts.unknownRefreshMs) return false
    lastUnknownRefresh = now()
    await refresh()
    return true
  }

  const checkOutcome = createOutcomeChecker(publicClient, {
    attestationCenter: center.attestationCenter,
    windowMs: opts.outcomeWindowMs,
    pollingIntervalMs: opts.outcomePollingIntervalMs,
  })

  return {
    refresh,
    checkTaskOutcome: (outcome) => checkOutcome(outcome),
    async getOperators() {
      await fresh()
      return [...byId.values()]
    },
    async getOperator(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined
      await fresh()
      return byId.get(id) ?? ((await retryUnknown()) ? byId.get(id) : undefined)
    },
    async getOperatorByAddress(address) {
      if (typeof address !== 'string' || !isAddress(address, { strict: false })) return undefined
      await fresh()
      const key = address.toLowerCase()
      return byAddress.get(key) ?? ((await retryUnknown()) ? byAddress.get(key) : undefined)
    },
    async hasTaskDefinition(id) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) return false
      if (isInternalTaskDefinition(id)) return true
      await fresh()
      if (id <= definitionCount) return true
      return (await retryUnknown()) ? id <= definitionCount : false
    },
  }
}

/** A proof's 64-byte G1 signature as the contract's two words; a coded CHAIN_INVALID_INPUT otherwise. */
function g1(bytes: Uint8Array, what: string): readonly [bigint, bigint] {
  if (!(bytes instanceof Uint8Array)) throw new ChainError('CHAIN_INVALID_INPUT', `${what} must be 64 bytes`)
  return g1Words(bytes, what)
}
