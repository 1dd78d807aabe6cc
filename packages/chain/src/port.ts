// The engine's ChainPort and the network layer's operator / task-definition directories, on viem.
// Both are structural: this package does not import @wisp/core or @wisp/p2p (they depend on it).
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
import { getBlock, getBlockNumber, getChainId, getCode } from 'viem/actions'
import { g1Words } from './actions/encoding.js'
import { createOutcomeChecker } from './actions/outcome.js'
import {
  internalTaskDefinition,
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
import {
  type ChainCache,
  type ChainSnapshot,
  createChainCache,
  DEFAULT_CACHE_MAX_AGE_MS,
} from './backends/cache.js'
import { createChainBackend } from './backends/detect.js'
import type { ChainBackend, ChainBackendKind, ChainBackendOption } from './backends/types.js'
import { ChainError, toChainError } from './errors.js'
import { type AnyClient, DEFAULT_RECEIPT_OPTIONS } from './transact.js'

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
  /** Which contract set to read: detected from the AttestationCenter by default ('auto'). */
  backend: ChainBackendOption
  /** othentic: first block to scan for TaskDefinitionCreated logs (the network's deployment block) */
  fromBlock?: bigint
  /** Safety-net reload of the cached operators and definitions (events reload them first). */
  cacheMaxAgeMs: number
  /** How often the cache looks for events that change operators or definitions; default the public client's pollingInterval. */
  watchIntervalMs?: number
}

/**
 * One Ethereum slot: the node that announced an outcome read its receipt from its own RPC, and a
 * provider that lags a block or two must not make an honest announcement look made up. A local
 * network mines at once and can use far less.
 */
export const DEFAULT_OUTCOME_WINDOW_MS = 12_000

/** how long the block gas limit read by `getBlockGasLimit` is reused */
const GAS_LIMIT_MAX_AGE_MS = 60_000

export const DEFAULT_CHAIN_PORT_OPTIONS: Omit<ChainPortOptions, 'attestationCenter'> = {
  verifyContract: true,
  pollingIntervalMs: DEFAULT_RECEIPT_OPTIONS.pollingIntervalMs,
  receiptTimeoutMs: DEFAULT_RECEIPT_OPTIONS.receiptTimeoutMs,
  bumpAfterMs: DEFAULT_RECEIPT_OPTIONS.bumpAfterMs,
  outcomeWindowMs: DEFAULT_OUTCOME_WINDOW_MS,
  backend: 'auto',
  cacheMaxAgeMs: DEFAULT_CACHE_MAX_AGE_MS,
}

export interface ChainPortComponents {
  /** reads */
  publicClient: AnyClient
  /** writes (submitTask); needs an account. Without it, submitTask throws CHAIN_NO_ACCOUNT. */
  walletClient?: AnyClient
  /**
   * A cache of the same AttestationCenter that other ports share (several operators hosted in one
   * process): they then read the chain through one event watch, one RPC poll per interval instead
   * of one per operator. Its backend is used as is (no detection); the caller owns it, and this
   * port's close() leaves it running.
   */
  cache?: ChainCache
}

/** The engine's ChainPort, with the backend and registry it resolved and the contracts' full records. */
export interface WispChainPort extends ChainPort {
  /** the contract set read: 'wisp' or 'othentic' */
  readonly backend: ChainBackendKind
  /** `obls()`: Wisp's OperatorRegistry or Othentic's OBLS */
  readonly registry: Address
  /** the cached reads (share it with {@link createChainDirectory} through its `cache` component) */
  readonly cache: ChainCache
  /** the latest block's gas limit, read at most once a minute */
  getBlockGasLimit(): Promise<bigint>
  /** cached; Wisp: every operator ever registered, Othentic: the active ones */
  getOperators(): Promise<OperatorRecord[]>
  /** cached */
  getTaskDefinition(id: number): Promise<TaskDefinitionRecord | undefined>
  /** reload operators, totals and definitions now */
  refresh(): Promise<void>
  /** stop the cache's event watch */
  close(): void
  /**
   * Simulates, sends, waits for the receipt. `MessageAlreadySigned` (in simulation, or after
   * losing a race on chain) is `{status: 'already-submitted'}`; any other revert throws a
   * ChainError whose code is the contract error's name.
   */
  submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome>
  /** Receipt-based, cached; waits up to `outcomeWindowMs` for a receipt. Never throws. */
  checkTaskOutcome: TaskOutcomeChecker['checkTaskOutcome']
  /**
   * `slashOperatorForDoubleAttestation`, sent in turn with submissions (one account, one nonce
   * sequence). Wisp backend only: an Othentic deployment has no public slashing entry point of that
   * shape, so the othentic port leaves both out and the engine's watchtower files nothing.
   */
  proveDoubleAttestation?(proof: DoubleAttestationProof): Promise<SlashOutcome>
  /** `slashOperatorForIncorrectAttestation`, likewise (Wisp backend only) */
  proveIncorrectAttestation?(proof: IncorrectAttestationProof): Promise<SlashOutcome>
}

/** The RPC's chain id; CHAIN_WRONG_CHAIN when it is not `expected` (default: the client's chain). */
async function checkedChainId(client: AnyClient, expected = client.chain?.id): Promise<number> {
  const chainId = await getChainId(client).catch((err: unknown) => {
    throw toChainError(err, { functionName: 'eth_chainId' })
  })
  if (expected !== undefined && expected !== chainId) {
    throw new ChainError('CHAIN_WRONG_CHAIN', `the RPC is on chain ${chainId}, expected chain ${expected}`, {
      details: { expected, actual: chainId },
    })
  }
  return chainId
}

/**
 * Checks that the RPC answers with the expected chain id (CHAIN_WRONG_CHAIN), that there is code
 * at the address (CHAIN_NOT_A_CONTRACT), and finds the backend: detected ('auto', the default) or
 * named, and checked either way — a contract that answers as neither, or not as the one named, is
 * CHAIN_NOT_AN_ATTESTATION_CENTER. An unreachable RPC is CHAIN_RPC_FAILED.
 */
export async function verifyAttestationCenter(
  client: AnyClient,
  params: { attestationCenter: Address; chainId?: number; backend?: ChainBackendOption; fromBlock?: bigint },
): Promise<{ chainId: number; registry: Address; backend: ChainBackend }> {
  if (!isAddress(params.attestationCenter, { strict: false })) {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `attestationCenter ${params.attestationCenter} is not an address`,
    )
  }
  const chainId = await checkedChainId(client, params.chainId)
  const center = getAddress(params.attestationCenter)
  const code = await getCode(client, { address: center }).catch((err: unknown) => {
    throw toChainError(err, { address: center, functionName: 'eth_getCode' })
  })
  if (code === undefined || code === '0x') {
    throw new ChainError('CHAIN_NOT_A_CONTRACT', `no contract at ${center} on chain ${chainId}`, {
      details: { address: center, chainId },
    })
  }
  const backend = await createChainBackend(client, {
    attestationCenter: center,
    ...(params.backend === undefined ? {} : { backend: params.backend }),
    ...(params.fromBlock === undefined ? {} : { fromBlock: params.fromBlock }),
  })
  return { chainId, registry: backend.registry, backend }
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
  let backend: ChainBackend
  const choice = {
    backend: opts.backend,
    ...(opts.fromBlock === undefined ? {} : { fromBlock: opts.fromBlock }),
  }
  const shared = components.cache
  if (shared !== undefined) {
    if (getAddress(shared.backend.attestationCenter) !== attestationCenter) {
      throw new ChainError(
        'CHAIN_INVALID_INPUT',
        `the shared chain cache reads ${shared.backend.attestationCenter}, not ${attestationCenter}`,
        { details: { expected: attestationCenter, actual: shared.backend.attestationCenter } },
      )
    }
    if (opts.backend !== 'auto' && opts.backend !== shared.backend.kind) {
      throw new ChainError(
        'CHAIN_INVALID_INPUT',
        `the shared chain cache reads a ${shared.backend.kind} deployment, not ${opts.backend}`,
        { details: { expected: opts.backend, actual: shared.backend.kind } },
      )
    }
    backend = shared.backend
    chainId = await checkedChainId(publicClient, opts.chainId)
  } else if (opts.verifyContract) {
    ;({ chainId, backend } = await verifyAttestationCenter(publicClient, {
      attestationCenter,
      ...choice,
      ...(opts.chainId === undefined ? {} : { chainId: opts.chainId }),
    }))
  } else {
    chainId =
      opts.chainId ??
      publicClient.chain?.id ??
      (await getChainId(publicClient).catch((err: unknown) => {
        throw toChainError(err, { functionName: 'eth_chainId' })
      }))
    backend = await createChainBackend(publicClient, { attestationCenter, ...choice, verify: false })
  }
  if (walletClient?.chain && walletClient.chain.id !== chainId) {
    throw new ChainError(
      'CHAIN_WRONG_CHAIN',
      `the wallet client is configured for chain ${walletClient.chain.id}, the RPC is chain ${chainId}`,
      { details: { expected: chainId, actual: walletClient.chain.id } },
    )
  }
  const cache =
    shared ??
    createChainCache(publicClient, backend, {
      maxAgeMs: opts.cacheMaxAgeMs,
      // the client's polling interval (what the operator configures for the chain), not the receipt polling
      ...(opts.watchIntervalMs === undefined ? {} : { watchIntervalMs: opts.watchIntervalMs }),
    })
  let queue: Promise<unknown> = Promise.resolve()
  let gasLimit: { value: bigint; at: number } | undefined
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

  const port: WispChainPort = {
    chainId,
    attestationCenter,
    backend: backend.kind,
    registry: backend.registry,
    cache,
    refresh: async () => {
      await cache.refresh()
    },
    close: () => {
      if (shared === undefined) cache.close()
    },
    async getBlockNumber() {
      try {
        return await getBlockNumber(publicClient, { cacheTime: 0 })
      } catch (err) {
        throw toChainError(err, { functionName: 'eth_blockNumber' })
      }
    },
    async getBlockGasLimit() {
      // it moves slowly (a validator vote per block, or a fixed value): read once a minute
      if (gasLimit === undefined || Date.now() - gasLimit.at > GAS_LIMIT_MAX_AGE_MS) {
        const block = await getBlock(publicClient, { blockTag: 'latest' }).catch((err: unknown) => {
          throw toChainError(err, { functionName: 'eth_getBlockByNumber' })
        })
        gasLimit = { value: block.gasLimit, at: Date.now() }
      }
      return gasLimit.value
    },
    getOperators: async () => (await cache.get()).operators,
    getNetworkTotal: async () => (await cache.get()).networkTotal,
    async getTaskDefinition(id: number) {
      // an id that cannot be a uint16 cannot name a definition
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) return undefined
      if (isInternalTaskDefinition(id)) return internalTaskDefinition(id)
      const known = (await cache.get()).definitions.get(id)
      if (known !== undefined) return known
      // created since the last event look: ask the chain itself (not cached: an unknown id is cheap to refuse)
      return backend.getTaskDefinition(id)
    },
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
  if (backend.kind === 'othentic') {
    delete port.proveDoubleAttestation
    delete port.proveIncorrectAttestation
  }
  return port
}

export interface ChainDirectoryOptions {
  attestationCenter: Address
  /** Which contract set to read: detected from the AttestationCenter by default ('auto'). */
  backend: ChainBackendOption
  /** othentic: first block to scan for TaskDefinitionCreated logs (the network's deployment block) */
  fromBlock?: bigint
  /**
   * Safety-net reload of the cached operator set and definitions: events (registrations, key and
   * voting-power changes, definition changes) reload them first.
   */
  maxAgeMs: number
  /** how often to look for those events; default the client's pollingInterval */
  watchIntervalMs?: number
  /** at most one reload per this interval when an unknown id or address is looked up */
  unknownRefreshMs: number
  /** how long `checkTaskOutcome` waits for an announced transaction's receipt */
  outcomeWindowMs: number
  /** and how often it asks meanwhile */
  outcomePollingIntervalMs: number
}

export const DEFAULT_CHAIN_DIRECTORY_OPTIONS: Omit<ChainDirectoryOptions, 'attestationCenter'> = {
  backend: 'auto',
  maxAgeMs: DEFAULT_CACHE_MAX_AGE_MS,
  unknownRefreshMs: 2_000,
  outcomeWindowMs: DEFAULT_OUTCOME_WINDOW_MS,
  outcomePollingIntervalMs: 1_000,
}

/** p2p's OperatorDirectory and TaskDefinitionDirectory (structurally), cached and refreshable. */
export interface ChainDirectory {
  getOperator(id: number): Promise<OperatorRecord | undefined>
  getOperatorByAddress(address: Address): Promise<OperatorRecord | undefined>
  hasTaskDefinition(id: number): Promise<boolean>
  /** the cached operators (Wisp: every operator ever registered; Othentic: the active ones) */
  getOperators(): Promise<OperatorRecord[]>
  /** the backend in use, once known (the first read detects it when 'auto') */
  backend(): Promise<ChainBackendKind>
  /** reload now (concurrent callers share one reload) */
  refresh(): Promise<void>
  /** p2p's TaskOutcomeChecker: a gossiped TaskSubmitted checked against its receipt (cached) */
  checkTaskOutcome: TaskOutcomeChecker['checkTaskOutcome']
  /** stop the event watch (only of a cache this directory created) */
  close(): void
}

/**
 * Operators and task definitions from the chain, for the network layer's validators: a cached
 * snapshot reloaded when an event says it changed (or after `maxAgeMs`), and (rate-limited) when
 * an unknown operator or definition is looked up, so a flood of garbage ids cannot hammer the RPC.
 * Pass a port's `cache` to share its snapshot and watch; otherwise the backend is resolved (and
 * detected, for 'auto') on first use.
 */
export function createChainDirectory(
  options: Partial<ChainDirectoryOptions> & Pick<ChainDirectoryOptions, 'attestationCenter'>,
  components: { publicClient: AnyClient; now?: () => number; cache?: ChainCache },
): ChainDirectory {
  const opts: ChainDirectoryOptions = { ...DEFAULT_CHAIN_DIRECTORY_OPTIONS, ...options }
  const { publicClient } = components
  const now = components.now ?? Date.now
  const attestationCenter = getAddress(opts.attestationCenter)
  const shared = components.cache
  let own: Promise<ChainCache> | undefined
  let closed = false
  const cacheOf = (): Promise<ChainCache> => {
    if (shared) return Promise.resolve(shared)
    own ??= createChainBackend(publicClient, {
      attestationCenter,
      backend: opts.backend,
      verify: false,
      ...(opts.fromBlock === undefined ? {} : { fromBlock: opts.fromBlock }),
    }).then(
      (backend) => {
        const cache = createChainCache(publicClient, backend, {
          maxAgeMs: opts.maxAgeMs,
          now,
          ...(opts.watchIntervalMs === undefined ? {} : { watchIntervalMs: opts.watchIntervalMs }),
        })
        if (closed) cache.close()
        return cache
      },
      (err: unknown) => {
        own = undefined // detection failed (RPC down?): try again on the next read
        throw err
      },
    )
    return own
  }
  const snapshot = async () => (await cacheOf()).get()
  let lastUnknownRefresh = Number.NEGATIVE_INFINITY
  /** An unknown id: reload once (rate-limited) in case it is a newcomer the watch has not seen yet. */
  const retryUnknown = async (): Promise<ChainSnapshot | undefined> => {
    if (now() - lastUnknownRefresh < opts.unknownRefreshMs) return undefined
    lastUnknownRefresh = now()
    return (await cacheOf()).refresh()
  }

  const checkOutcome = createOutcomeChecker(publicClient, {
    attestationCenter,
    windowMs: opts.outcomeWindowMs,
    pollingIntervalMs: opts.outcomePollingIntervalMs,
  })

  return {
    async refresh() {
      await (await cacheOf()).refresh()
    },
    async backend() {
      return (await cacheOf()).backend.kind
    },
    close() {
      closed = true
      void own?.then(
        (cache) => cache.close(),
        () => undefined,
      )
    },
    checkTaskOutcome: (outcome) => checkOutcome(outcome),
    async getOperators() {
      return [...(await snapshot()).operators]
    },
    async getOperator(id) {
      if (!Number.isSafeInteger(id) || id < 1) return undefined
      return (await snapshot()).byId.get(id) ?? (await retryUnknown())?.byId.get(id)
    },
    async getOperatorByAddress(address) {
      if (typeof address !== 'string' || !isAddress(address, { strict: false })) return undefined
      const key = address.toLowerCase()
      return (await snapshot()).byAddress.get(key) ?? (await retryUnknown())?.byAddress.get(key)
    },
    async hasTaskDefinition(id) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) return false
      if (isInternalTaskDefinition(id)) return true
      if ((await snapshot()).definitions.has(id)) return true
      return (await retryUnknown())?.definitions.has(id) ?? false
    },
  }
}

/** A proof's 64-byte G1 signature as the contract's two words; a coded CHAIN_INVALID_INPUT otherwise. */
function g1(bytes: Uint8Array, what: string): readonly [bigint, bigint] {
  if (!(bytes instanceof Uint8Array)) throw new ChainError('CHAIN_INVALID_INPUT', `${what} must be 64 bytes`)
  return g1Words(bytes, what)
}
