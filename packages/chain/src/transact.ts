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
}

export const DEFAULT_RECEIPT_OPTIONS: Required<ReceiptOptions> = {
  pollingIntervalMs: 100,
  receiptTimeoutMs: 120_000,
}

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
 * Polls for a receipt; CHAIN_TIMEOUT when none arrives in time, CHAIN_RPC_FAILED when the RPC fails.
 * With the transaction's signed bytes, one the node has lost is sent again (see
 * {@link REBROADCAST_CHECK_MS}); CHAIN_TX_DROPPED when it cannot be (its nonce was used by another).
 */
export async function waitForReceipt(
  client: AnyClient,
  hash: Hex,
  options: ReceiptOptions = {},
  context: ErrorContext = {},
  signed?: Hex,
): Promise<TransactionReceipt> {
  const { pollingIntervalMs, receiptTimeoutMs } = { ...DEFAULT_RECEIPT_OPTIONS, ...options }
  const deadline = Date.now() + receiptTimeoutMs
  let nextCheck = Date.now() + REBROADCAST_CHECK_MS
  for (;;) {
    try {
      return await getTransactionReceipt(client, { hash })
    } catch (err) {
      const name = (err as { name?: string }).name
      if (name !== 'TransactionReceiptNotFoundError') throw toChainError(err, { ...context, txHash: hash })
    }
    if (Date.now() >= deadline) {
      throw new ChainError('CHAIN_TIMEOUT', `no receipt for ${hash} after ${receiptTimeoutMs} ms`, {
        details: { ...context, txHash: hash },
      })
    }
    if (signed !== undefined && Date.now() >= nextCheck) {
      nextCheck = Date.now() + REBROADCAST_CHECK_MS
      await rebroadcastIfLost(client, hash, signed, context)
    }
    await sleep(pollingIntervalMs)
  }
}

async function rebroadcastIfLost(
  client: AnyClient,
  hash: Hex,
  signed: Hex,
  context: ErrorContext,
): Promise<void> {
  try {
    await getTransaction(client, { hash })
    return // the node still has it (pending or mined: the receipt poll will see it)
  } catch (err) {
    if ((err as { name?: string }).name !== 'TransactionNotFoundError') return // a flaky RPC: ask again later
  }
  try {
    await sendRawTransaction(client, { serializedTransaction: signed })
  } catch (err) {
    const error = toChainError(err, { ...context, txHash: hash })
    const message = `${(err as Error).message}`.toLowerCase()
    if (message.includes('nonce too low') || message.includes('nonce is too low')) {
      throw new ChainError('CHAIN_TX_DROPPED', `transaction ${hash} was lost and its nonce is used`, {
        details: { ...context, txHash: hash },
        cause: err,
      })
    }
    if (error.code === 'CHAIN_RPC_FAILED') return // try again at the next check
    if (message.includes('already known')) return
    throw error
  }
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
  // the signed bytes, when the account signs here (a local account): what a rebroadcast resends
  let signed: Hex | undefined
  try {
    if (typeof account === 'object' && account.type === 'local' && account.signTransaction) {
      const prepared = await prepareTransactionRequest(
        client,
        txRequest as Parameters<typeof prepareTransactionRequest>[1],
      )
      // as viem's sendTransaction does for a local account, keeping the signed bytes
      signed = await account.signTransaction(
        prepared as Parameters<NonNullable<typeof account.signTransaction>>[0],
        { serializer: client.chain?.serializers?.transaction },
      )
      txHash = await sendRawTransaction(client, { serializedTransaction: signed })
    } else {
      txHash = await sendTransaction(client, txRequest as Parameters<typeof sendTransaction>[1])
    }
  } catch (err) {
    throw toChainError(err, context)
  }
  return {
    txHash,
    async confirmed() {
      const receipt = await waitForReceipt(client, txHash, options, context, signed)
      if (receipt.status !== 'success') {
        throw await explainRevert(client, { from, to: request.address, data, receipt }, context)
      }
      return { txHash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt }
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
