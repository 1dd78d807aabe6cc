// One coded error for everything that can go wrong talking to the chain: a contract revert carries
// the contract's error name as its code (so an off-chain check and the on-chain revert read the
// same), an infrastructure failure one of the CHAIN_* codes.
import { attestationCenterAbi, testERC20Abi } from '@wisp/contracts'
import { WispError } from '@wisp/protocol'
import { type Abi, BaseError, decodeErrorResult, type Hex, toFunctionSelector } from 'viem'

type ErrorsOf<T extends Abi> = Extract<T[number], { type: 'error' }>

/** Every custom error of the contract set (AttestationCenter + extension, registry, treasury, test tokens). */
export const contractErrorsAbi = [
  ...attestationCenterAbi.filter(
    (item): item is ErrorsOf<typeof attestationCenterAbi> => item.type === 'error',
  ),
  ...testERC20Abi.filter((item): item is ErrorsOf<typeof testERC20Abi> => item.type === 'error'),
] as const

/** The name of any custom error the contracts can revert with. */
export type ContractErrorName = (typeof contractErrorsAbi)[number]['name']

/** Every contract error name, for exhaustive checks and switch statements. */
export const CONTRACT_ERROR_NAMES: readonly ContractErrorName[] = [
  ...new Set(contractErrorsAbi.map((e) => e.name)),
] as ContractErrorName[]

/** Failures that are not a contract's custom error. */
export const CHAIN_INFRA_ERROR_CODES = [
  /** the RPC could not be reached, timed out, or answered garbage */
  'CHAIN_RPC_FAILED',
  /** the RPC (or the wallet's chain) is not the chain id we were configured for */
  'CHAIN_WRONG_CHAIN',
  /** no code at the address (an EOA, a typo, the wrong chain) */
  'CHAIN_NOT_A_CONTRACT',
  /** code at the address, but it does not answer as an AttestationCenter */
  'CHAIN_NOT_AN_ATTESTATION_CENTER',
  /** reverted without a known custom error: require string, panic, unknown selector or no data */
  'CHAIN_REVERTED',
  /** mined with status "reverted" and replaying it gives no reason */
  'CHAIN_TX_FAILED',
  /** the node refused the transaction (nonce, fee cap, gas limit…) */
  'CHAIN_TX_REJECTED',
  /** a sent transaction was lost by the node and cannot be sent again (its nonce was used) */
  'CHAIN_TX_DROPPED',
  /** the sender cannot pay for gas and value */
  'CHAIN_INSUFFICIENT_FUNDS',
  /** no receipt within the configured time */
  'CHAIN_TIMEOUT',
  /** a write without an account (no wallet client, or a wallet client without an account) */
  'CHAIN_NO_ACCOUNT',
  /** a parameter that cannot be encoded (bad id, malformed signature…) */
  'CHAIN_INVALID_INPUT',
  /** anything else: a bug, not a chain condition */
  'CHAIN_UNEXPECTED',
] as const
export type ChainInfraErrorCode = (typeof CHAIN_INFRA_ERROR_CODES)[number]

export type ChainErrorCode = ContractErrorName | ChainInfraErrorCode

export interface ChainErrorDetails extends Record<string, unknown> {
  /** the decoded custom error's name (contract reverts only) */
  errorName?: string
  /** the decoded custom error's arguments */
  args?: readonly unknown[]
  /** raw revert data */
  data?: Hex
  /** the contract called */
  address?: Hex
  /** the function called */
  functionName?: string
  /** the transaction, when one was sent */
  txHash?: Hex
}

/** The error every function of this package throws. `code` is the contract error name or a CHAIN_* code. */
export class ChainError<Code extends ChainErrorCode = ChainErrorCode> extends WispError<Code> {
  declare readonly details: Readonly<ChainErrorDetails>

  constructor(code: Code, message: string, options: { details?: ChainErrorDetails; cause?: unknown } = {}) {
    super(code, message, { ...options, name: 'ChainError' })
  }

  /** True for a contract's custom error (as opposed to an RPC or transaction failure). */
  get isContractError(): boolean {
    return CONTRACT_ERROR_SET.has(this.code)
  }
}

const CONTRACT_ERROR_SET: ReadonlySet<string> = new Set(CONTRACT_ERROR_NAMES)
const CODE_SET: ReadonlySet<string> = new Set([...CONTRACT_ERROR_NAMES, ...CHAIN_INFRA_ERROR_CODES])

export function isChainErrorCode(code: unknown): code is ChainErrorCode {
  return typeof code === 'string' && CODE_SET.has(code)
}

export function isChainError(err: unknown): err is ChainError {
  return err instanceof WispError && err.name === 'ChainError' && isChainErrorCode(err.code)
}

/** Selector → error item, for reporting unknown selectors. */
type ErrorItem = (typeof contractErrorsAbi)[number]
const SELECTORS: ReadonlyMap<Hex, ErrorItem> = new Map(
  contractErrorsAbi.map((e: ErrorItem) => [
    toFunctionSelector(
      `${e.name}(${(e.inputs as readonly { type: string }[]).map((i) => i.type).join(',')})`,
    ),
    e,
  ]),
)

/** The selector of a contract error by name (for tests and matching raw data). */
export function contractErrorSelector(name: ContractErrorName): Hex {
  for (const [selector, item] of SELECTORS) if (item.name === name) return selector
  throw new ChainError('CHAIN_INVALID_INPUT', `unknown contract error ${name}`)
}

export interface ErrorContext {
  address?: Hex
  functionName?: string
  txHash?: Hex
  /** extra ABI whose errors should decode too (e.g. a custom avsLogic hook's errors) */
  abi?: Abi
}

const HEX_RE = /^0x[0-9a-fA-F]*$/

function hexData(value: unknown): Hex | undefined {
  if (typeof value === 'string' && HEX_RE.test(value) && value.length >= 10) return value as Hex
  if (value && typeof value === 'object' && 'data' in value) return hexData((value as { data: unknown }).data)
  return undefined
}

/** Walks an error's cause chain (viem wraps several levels deep). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 16 && !out.includes(current); depth++) {
    out.push(current)
    current = (current as { cause?: unknown }).cause
  }
  return out
}

function nameOf(e: unknown): string {
  return (e as { name?: unknown })?.name && typeof (e as { name: unknown }).name === 'string'
    ? (e as { name: string }).name
    : ''
}

function shortMessage(e: unknown): string {
  if (e instanceof BaseError) return e.shortMessage
  if (e instanceof Error) return e.message
  return String(e)
}

/**
 * What the RPC itself answered (viem's `details`: the node's error message), when it says more than
 * viem's summary: "An internal error was received" alone does not tell an operator what went wrong.
 */
function rpcSaid(links: readonly unknown[]): string {
  const summaries = new Set(links.map(shortMessage))
  for (const e of links) {
    const details = e instanceof BaseError ? e.details : undefined
    if (typeof details === 'string' && details.length > 0 && !summaries.has(details))
      return ` (the RPC said: ${details.length > 200 ? `${details.slice(0, 200)}…` : details})`
  }
  return ''
}

/** Revert data found anywhere in the cause chain. */
export function findRevertData(error: unknown): Hex | undefined {
  for (const e of chain(error)) {
    const raw = (e as { raw?: unknown }).raw
    const fromRaw = hexData(raw)
    if (fromRaw) return fromRaw
    const fromData = hexData((e as { data?: unknown }).data)
    if (fromData) return fromData
  }
  return undefined
}

const REVERT_NAMES = new Set([
  'ContractFunctionRevertedError',
  'ExecutionRevertedError',
  'RawContractError',
  'CallExecutionError',
])
const RPC_NAMES = new Set([
  'HttpRequestError',
  'WebSocketRequestError',
  'SocketClosedError',
  'TimeoutError',
  'RpcRequestError',
  'UnknownRpcError',
  'InternalRpcError',
  'ParseRpcError',
  'InvalidRequestRpcError',
  'MethodNotFoundRpcError',
  'MethodNotSupportedRpcError',
  'LimitExceededRpcError',
  'ResourceUnavailableRpcError',
  'InvalidInputRpcError',
  'UrlRequiredError',
  'ResponseBodyTooLargeError',
])
const REJECTED_NAMES = new Set([
  'NonceTooLowError',
  'NonceTooHighError',
  'NonceMaxValueError',
  'FeeCapTooHighError',
  'FeeCapTooLowError',
  'TipAboveFeeCapError',
  'IntrinsicGasTooHighError',
  'IntrinsicGasTooLowError',
  'TransactionTypeNotSupportedError',
  'TransactionRejectedRpcError',
])
const INPUT_NAMES = new Set([
  'AbiEncodingArrayLengthMismatchError',
  'AbiEncodingBytesSizeMismatchError',
  'AbiEncodingLengthMismatchError',
  'InvalidAddressError',
  'InvalidArrayError',
  'IntegerOutOfRangeError',
  'InvalidAbiEncodingTypeError',
  'SizeOverflowError',
  'AbiFunctionNotFoundError',
])

/**
 * Any error from viem (or from this package) → a {@link ChainError}. Revert data is decoded
 * against every contract error by name; infrastructure failures get their CHAIN_* code. Never throws.
 */
export function toChainError(error: unknown, context: ErrorContext = {}): ChainError {
  if (isChainError(error)) return error
  const where: ChainErrorDetails = {}
  if (context.address) where.address = context.address
  if (context.functionName) where.functionName = context.functionName
  if (context.txHash) where.txHash = context.txHash
  const suffix = context.functionName ? ` (${context.functionName})` : ''
  const links = chain(error)
  const names = links.map(nameOf)

  const data = findRevertData(error)
  if (data) {
    const decoded = decodeRevert(data, context.abi)
    if (decoded)
      return new ChainError(decoded.code, decoded.message + suffix, {
        details: { ...where, ...decoded.details, data },
        cause: error,
      })
  }
  const has = (set: ReadonlySet<string>) => names.some((n) => set.has(n))
  if (names.includes('ChainMismatchError')) {
    return new ChainError('CHAIN_WRONG_CHAIN', shortMessage(error), { details: where, cause: error })
  }
  if (names.includes('ContractFunctionZeroDataError')) {
    return new ChainError(
      'CHAIN_NOT_A_CONTRACT',
      `no contract answered at ${context.address ?? 'the address'}${suffix}: the call returned no data`,
      { details: where, cause: error },
    )
  }
  if (names.includes('InsufficientFundsError')) {
    return new ChainError('CHAIN_INSUFFICIENT_FUNDS', shortMessage(error), { details: where, cause: error })
  }
  if (names.includes('AccountNotFoundError')) {
    return new ChainError('CHAIN_NO_ACCOUNT', `no account to send from${suffix}`, {
      details: where,
      cause: error,
    })
  }
  if (names.includes('WaitForTransactionReceiptTimeoutError')) {
    return new ChainError('CHAIN_TIMEOUT', shortMessage(error), { details: where, cause: error })
  }
  if (has(REJECTED_NAMES)) {
    return new ChainError('CHAIN_TX_REJECTED', shortMessage(error), { details: where, cause: error })
  }
  if (has(INPUT_NAMES)) {
    return new ChainError('CHAIN_INVALID_INPUT', shortMessage(error) + suffix, {
      details: where,
      cause: error,
    })
  }
  // A revert without usable data (require without message, unknown hook error…).
  if (has(REVERT_NAMES) && links.some((e) => /revert/i.test(shortMessage(e)))) {
    return new ChainError('CHAIN_REVERTED', `execution reverted without a known error${suffix}`, {
      details: { ...where, ...(data ? { data } : {}) },
      cause: error,
    })
  }
  if (has(RPC_NAMES) || links.some((e) => e instanceof TypeError && /fetch/i.test(e.message))) {
    return new ChainError(
      'CHAIN_RPC_FAILED',
      `RPC request failed${suffix}: ${shortMessage(error)}${rpcSaid(links)}`,
      {
        details: where,
        cause: error,
      },
    )
  }
  return new ChainError('CHAIN_UNEXPECTED', `${shortMessage(error)}${suffix}`, {
    details: where,
    cause: error,
  })
}

/** Decodes revert data: a contract error by name, else Error(string) / Panic / unknown as CHAIN_REVERTED. */
export function decodeRevert(
  data: Hex,
  extraAbi?: Abi,
): { code: ChainErrorCode; message: string; details: ChainErrorDetails } | undefined {
  try {
    const decoded = decodeErrorResult({ abi: contractErrorsAbi, data })
    const args = (decoded.args ?? []) as readonly unknown[]
    if (CONTRACT_ERROR_SET.has(decoded.errorName))
      return {
        code: decoded.errorName as ContractErrorName,
        message: `reverted with ${decoded.errorName}(${args.map(String).join(', ')})`,
        details: { errorName: decoded.errorName, args },
      }
  } catch {
    // not one of ours
  }
  try {
    const decoded = decodeErrorResult({ abi: extraAbi ?? [], data })
    const args = (decoded.args ?? []) as readonly unknown[]
    const standard = decoded.errorName === 'Error' || decoded.errorName === 'Panic'
    return {
      code: 'CHAIN_REVERTED',
      message: standard
        ? `reverted: ${decoded.errorName}(${args.map(String).join(', ')})`
        : `reverted with ${decoded.errorName}(${args.map(String).join(', ')}) (not a contract-set error)`,
      details: { errorName: decoded.errorName, args },
    }
  } catch {
    // unknown selector
  }
  if (data.length < 10) return undefined
  return {
    code: 'CHAIN_REVERTED',
    message: `reverted with unknown error selector ${data.slice(0, 10)}`,
    details: {},
  }
}
