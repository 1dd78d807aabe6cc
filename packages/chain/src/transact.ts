// Shared plumbing of every write: simulate (so a revert comes back decoded before anything is
// sent), send, poll for the receipt, and explain a receipt that says "reverted".
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  type Client,
  encodeFunctionData,
  type Hex,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import {
  call,
  estimateFeesPerGas,
  getTransaction,
  getTransactionReceipt,
  prepareTransactionRequest,
  readContract,
  sendRawTransaction,
  sendTransaction,
} from 'viem/actions'
import { ChainError, type ErrorContext, toChainError } from './errors.js'

/** Any viem client: a public client for reads, a wallet client (with or without an account) for writes. */
export type AnyClient = Client<Transport, Chain | undefined, Account | undefined>

export interface ReceiptOptions {
  /** How often to poll for the receipt. */
  pollingIntervalMs?: number
  /** Give up (CHAIN_TIMEOUT) after this long. */
  receiptTimeoutMs?: number
  /**
   * A transaction signed here that is still pending after this long is replaced by the same one
   * (same nonce) with higher fees: the network's current estimate, and at least +25% (nodes ask
   * for +10% to replace), at most {@link MAX_FEE_BUMPS} times.
   */
  bumpAfterMs?: number
}

export const DEFAULT_RECEIPT_OPTIONS: Required<ReceiptOptions> = {
  pollingIntervalMs: 100,
  receiptTimeoutMs: 120_000,
  bumpAfterMs: 30_000,
}

/** Replacements of one transaction at most: past this, it waits for its block or the timeout. */
export const MAX_FEE_BUMPS = 5

/**
 * While a sent transaction waits for its block, how often to ask the node whether it still has it.
 * A node restarted, a pool evicting under pressure or an RPC behind a load balancer can lose a
 * transaction; nobody would mine it, and with several submissions in flight every later nonce
 * would wait behind the gap. A lost transaction is sent again, the same signed bytes.
 */
export const REBROADCAST_CHECK_MS = 2000

export interface WriteOptions extends ReceiptOptions {
  /** The sender; defaults to the client's account. */
  account?: Account | Address
  /** Skip the eth_call dry run (the revert is then decoded from the mined transaction). */
  skipSimulation?: boolean
  /** Gas limit; estimated by the node when absent. */
  gas?: bigint
  nonce?: number
}

export interface WriteResult {
  txHash: Hex
  blockNumber: bigint
  gasUsed: bigint
  receipt: TransactionReceipt
}

export interface ContractCall {
  address: Address
  abi: Abi
  functionName: string
  args?: readonly unknown[]
}

/** A call to send: encoded from `abi`/`args`, or given as ready calldata. */
export type WriteRequest = ContractCall | { address: Address; functionName: string; data: Hex }

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function accountAddress(account: Account | Address): Address {
  return typeof account === 'string' ? account : account.address
}

/** Encodes a call; an argument viem cannot encode becomes CHAIN_INVALID_INPUT. */
export function encodeCall(request: ContractCall): Hex {
  try {
    return encodeFunctionData({
      abi: request.abi,
      functionName: request.functionName,
      args: request.args ?? [],
    } as Parameters<typeof encodeFunctionData>[0])
  } catch (err) {
    const error = toChainError(err, { address: request.address, functionName: request.functionName })
    throw error.code === 'CHAIN_UNEXPECTED'
      ? new ChainError('CHAIN_INVALID_INPUT', error.message, { details: error.details, cause: err })
      : error
  }
}

/** A typed-enough read: decoded result, errors as ChainError. */
export async function read<T>(
  client: AnyClient,
  request: ContractCall & { blockNumber?: bigint },
): Promise<T> {
  try {
    return (await readContract(client, request as Parameters<typeof readContract>[1])) as T
  } catch (err) {
    throw toChainError(err, { address: request.address, functionName: request.functionName })
  }
}

/**
 * A transaction signed here, kept so that it can be sent again when the node loses it and replaced
 * with higher fees when it waits too long: every version sent so far (any may be the one mined).
 */
export interface SignedInFlight {
  hashes: Hex[]
  /** the newest version's signed bytes */
  signed: Hex
  /** when the newest version was sent */
  sentAt: number
  bumps: number
  /** signs and sends a replacement with higher fees; false when the node refused it */
  bump(): Promise<boolean>
}

/**
 * Polls for a receipt; CHAIN_TIMEOUT when none arrives in time, CHAIN_RPC_FAILED when the RPC fails.
 * With a transaction signed here ({@link SignedInFlight}), one the node has lost is sent again
 * (see {@link REBROADCAST_CHECK_MS}) and one pending for `bumpAfterMs` is replaced with higher fees;
 * CHAIN_TX_DROPPED when it is lost and its nonce was used by another transaction.
 */
export async function waitForReceipt(
  client: AnyClient,
  hash: Hex,
  options: ReceiptOptions = {},
  context: ErrorContext = {},
  inFlight?: SignedInFlight,
): Promise<TransactionReceipt> {
  const { pollingIntervalMs, receiptTimeoutMs, bumpAfterMs } = { ...DEFAULT_RECEIPT_OPTIONS, ...options }
  const deadline = Date.now() + receiptTimeoutMs
  let nextCheck = Date.now() + Math.min(REBROADCAST_CHECK_MS, bumpAfterMs)
  for (;;) {
    // newest first: after a replacement, that is the one the node will mine
    for (const candidate of inFlight ? [...inFlight.hashes].reverse() : [hash]) {
      try {
        return await getTransactionReceipt(client, { hash: candidate })
      } catch (err) {
        const name = (err as { name?: string }).name
        if (name !== 'TransactionReceiptNotFoundError')
          throw toChainError(err, { ...context, txHash: candidate })
      }
    }
    if (Date.now() >= deadline) {
      throw new ChainError('CHAIN_TIMEOUT', `no receipt for ${hash} after ${receiptTimeoutMs} ms`, {
        details: { ...context, txHash: hash, replacements: inFlight?.bumps ?? 0 },
      })
    }
    if (inFlight !== undefined && Date.now() >= nextCheck) {
      nextCheck = Date.now() + Math.min(REBROADCAST_CHECK_MS, bumpAfterMs)
      const state = await rebroadcastIfLost(client, inFlight, context)
      const waited = Date.now() - inFlight.sentAt >= bumpAfterMs
      // refused: the node lost it and will not take it back at its fees (the base fee rose)
      if ((state === 'refused' || (state === 'pending' && waited)) && inFlight.bumps < MAX_FEE_BUMPS) {
        await inFlight.bump()
      }
    }
    await sleep(pollingIntervalMs)
  }
}

/**
 * Sends the newest version again when the node no longer has it: `pending` (the node has it),
 * `resent`, `refused` (the node will not take it back, e.g. its fees are below the base fee now),
 * `unknown` (the RPC failed: ask again later). CHAIN_TX_DROPPED when its nonce was used by another.
 */
async function rebroadcastIfLost(
  client: AnyClient,
  inFlight: SignedInFlight,
  context: ErrorContext,
): Promise<'pending' | 'resent' | 'refused' | 'unknown'> {
  const hash = inFlight.hashes.at(-1)!
  try {
    await getTransaction(client, { hash })
    return 'pending' // (or mined: the receipt poll will see it)
  } catch (err) {
    if ((err as { name?: string }).name !== 'TransactionNotFoundError') return 'unknown'
  }
  try {
    await sendRawTransaction(client, { serializedTransaction: inFlight.signed })
    return 'resent'
  } catch (err) {
    if (isNonceTooLow(err)) {
      // an earlier version may have been mined meanwhile: then the receipt poll finds it
      for (const h of inFlight.hashes) {
        const mined = await getTransactionReceipt(client, { hash: h }).then(
          () => true,
          () => false,
        )
        if (mined) return 'pending'
      }
      throw new ChainError('CHAIN_TX_DROPPED', `transaction ${hash} was lost and its nonce is used`, {
        details: { ...context, txHash: hash },
        cause: err,
      })
    }
    if (/already known|known transaction/i.test((err as Error).message)) return 'pending'
    return toChainError(err, { ...context, txHash: hash }).code === 'CHAIN_RPC_FAILED' ? 'unknown' : 'refused'
  }
}

function isNonceTooLow(err: unknown): boolean {
  return /nonce (is )?too low/i.test(`${(err as Error)?.message}`)
}

/** The prepared transaction with fees raised for a replacement: +25% at least, or the current estimate. */
async function bumpedFees<T extends Record<string, unknown>>(client: AnyClient, prepared: T): Promise<T> {
  const up = (fee: unknown, floor: bigint | undefined) => {
    const raised = ((fee as bigint) * 125n + 99n) / 100n
    return floor !== undefined && floor > raised ? floor : raised
  }
  if (prepared.maxFeePerGas !== undefined) {
    const estimate = await estimateFeesPerGas(client, { chain: client.chain ?? null, type: 'eip1559' }).catch(
      () => undefined,
    )
    const maxPriorityFeePerGas = up(prepared.maxPriorityFeePerGas ?? 0n, estimate?.maxPriorityFeePerGas)
    const maxFeePerGas = up(prepared.maxFeePerGas, estimate?.maxFeePerGas)
    return {
      ...prepared,
      maxPriorityFeePerGas,
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
      maxFeePerGas: maxFeePerGas > maxPriorityFeePerGas ? maxFeePerGas : maxPriorityFeePerGas,
    }
  }
  const estimate = await estimateFeesPerGas(client, { chain: client.chain ?? null, type: 'legacy' }).catch(
    () => undefined,
  )
  return { ...prepared, gasPrice: up(prepared.gasPrice ?? 0n, estimate?.gasPrice) }
}

/**
 * Explains a mined-but-reverted transaction by replaying it at its block: a contract error by name
 * when the replay reverts (e.g. MessageAlreadySigned after losing a race), CHAIN_TX_FAILED otherwise.
 */
export async function explainRevert(
  client: AnyClient,
  tx: { from: Address; to: Address; data: Hex; receipt: TransactionReceipt },
  context: ErrorContext,
): Promise<ChainError> {
  const where = { ...context, txHash: tx.receipt.transactionHash }
  try {
    await call(client, { account: tx.from, to: tx.to, data: tx.data, blockNumber: tx.receipt.blockNumber })
  } catch (err) {
    const error = toChainError(err, where)
    if (error.code !== 'CHAIN_RPC_FAILED' && error.code !== 'CHAIN_UNEXPECTED') return error
  }
  return new ChainError(
    'CHAIN_TX_FAILED',
    `transaction ${tx.receipt.transactionHash} reverted (gas used ${tx.receipt.gasUsed}) and the replay gives no reason`,
    { details: { ...where, gasUsed: tx.receipt.gasUsed } },
  )
}

/** A transaction the node accepted; `confirmed()` waits for its receipt (and explains a revert). */
export interface SentWrite {
  txHash: Hex
  confirmed(): Promise<WriteResult>
}

/**
 * Simulates and sends one contract call, without waiting for it to be mined: the part of a write
 * that must run one at a time per account (the nonce comes from the node's pending count), so a
 * caller can send the next transaction while this one waits for its block.
 */
export async function sendWrite(
  client: AnyClient,
  request: WriteRequest,
  options: WriteOptions = {},
): Promise<SentWrite> {
  const context: ErrorContext = { address: request.address, functionName: request.functionName }
  const account = options.account ?? client.account
  if (account === undefined) {
    throw new ChainError('CHAIN_NO_ACCOUNT', `${request.functionName} needs an account (a wallet client)`, {
      details: { ...context },
    })
  }
  const data = 'data' in request ? request.data : encodeCall(request)
  const from = accountAddress(account)
  if (!options.skipSimulation) {
    try {
      await call(client, { account, to: request.address, data })
    } catch (err) {
      throw toChainError(err, context)
    }
  }
  const txRequest = {
    account,
    chain: client.chain ?? null,
    to: request.address,
    data,
    ...(options.gas === undefined ? {} : { gas: options.gas }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  }
  let txHash: Hex
  // kept when the account signs here (a local account): what a resend or a replacement needs
  let inFlight: SignedInFlight | undefined
  try {
    if (typeof account === 'object' && account.type === 'local' && account.signTransaction) {
      const signTransaction = account.signTransaction
      // as viem's sendTransaction does for a local account, keeping the prepared request and the bytes
      const sign = (tx: Record<string, unknown>) =>
        signTransaction(tx as Parameters<typeof signTransaction>[0], {
          serializer: client.chain?.serializers?.transaction,
        })
      let prepared = (await prepareTransactionRequest(
        client,
        txRequest as Parameters<typeof prepareTransactionRequest>[1],
      )) as Record<string, unknown>
      const signed = await sign(prepared)
      txHash = await sendRawTransaction(client, { serializedTransaction: signed })
      const tracked: SignedInFlight = {
        hashes: [txHash],
        signed,
        sentAt: Date.now(),
        bumps: 0,
        async bump() {
          tracked.bumps++
          tracked.sentAt = Date.now()
          const next = await bumpedFees(client, prepared)
          const bytes = await sign(next)
          try {
            const hash = await sendRawTransaction(client, { serializedTransaction: bytes })
            prepared = next
            tracked.signed = bytes
            tracked.hashes.push(hash)
            return true
          } catch {
            // underpriced, or the nonce is used (mined meanwhile): the receipt poll decides
            return false
          }
        },
      }
      inFlight = tracked
    } else {
      txHash = await sendTransaction(client, txRequest as Parameters<typeof sendTransaction>[1])
    }
  } catch (err) {
    throw toChainError(err, context)
  }
  return {
    txHash,
    async confirmed() {
      const receipt = await waitForReceipt(client, txHash, options, context, inFlight)
      const minedHash = receipt.transactionHash
      if (receipt.status !== 'success') {
        throw await explainRevert(client, { from, to: request.address, data, receipt }, context)
      }
      return { txHash: minedHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt }
    },
  }
}

/**
 * Simulates, sends and waits for one contract call. Throws a ChainError whose code is the
 * contract's error name when it reverts (in simulation or on chain).
 */
export async function writeAndWait(
  client: AnyClient,
  request: WriteRequest,
  options: WriteOptions = {},
): Promise<WriteResult> {
  return (await sendWrite(client, request, options)).confirmed()
}
