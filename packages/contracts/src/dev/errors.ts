// The one error type of the dev entry: the anvil launcher and the local deployer.
import { WispError } from '@wisp/protocol'
import { type Abi, BaseError, decodeErrorResult, type Hex } from 'viem'
import { attestationCenterAbi, avsTreasuryAbi, operatorRegistryAbi, testERC20Abi } from '../index.js'

export const DEV_ERROR_CODES = [
  /** the anvil launcher could not find or start anvil */
  'DEV_ANVIL_FAILED',
  /** a step of the local-network deployment failed (details: `step`, `reason`) */
  'DEV_DEPLOY_FAILED',
  /** the RPC is on another chain than the one asked for */
  'DEV_WRONG_CHAIN',
  /** the RPC could not be reached or answered with an error */
  'DEV_RPC_FAILED',
  /** an option that cannot be used */
  'DEV_INVALID_INPUT',
] as const
export type DevErrorCode = (typeof DEV_ERROR_CODES)[number]

/** What `@wisp/contracts/dev` throws: `name: 'DevError'`, a `DEV_*` code, `details`, `cause`. */
export class DevError extends WispError<DevErrorCode> {
  constructor(
    code: DevErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'DevError' })
  }
}

const errorsAbi: Abi = [attestationCenterAbi, operatorRegistryAbi, avsTreasuryAbi, testERC20Abi].flatMap(
  (abi) => (abi as Abi).filter((item) => item.type === 'error'),
)

function revertData(err: unknown): Hex | undefined {
  let current: unknown = err
  for (let depth = 0; current && depth < 10; depth++) {
    const data = (current as { data?: unknown }).data
    if (typeof data === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(data)) return data as Hex
    if (data && typeof data === 'object' && typeof (data as { data?: unknown }).data === 'string') {
      return (data as { data: Hex }).data
    }
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * Why a call failed, shortly: the contract error's name (`InvalidAttesterSet`, `Error` for a
 * require string, `Panic`), else viem's short message.
 */
export function reasonOf(err: unknown): string {
  const data = revertData(err)
  if (data) {
    try {
      return decodeErrorResult({ abi: errorsAbi, data }).errorName
    } catch {
      return `unknown revert ${data.slice(0, 10)}`
    }
  }
  if (err instanceof BaseError) return err.shortMessage
  return err instanceof Error ? err.message : String(err)
}
