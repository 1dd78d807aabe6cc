import { WispError } from '@wisp/protocol'

export const DEPLOY_ERROR_CODES = [
  /** the deployment plan does not parse; `details.path` names the field */
  'DEPLOY_INVALID_PLAN',
  /** a task definition names a plugin package this runtime does not bundle */
  'DEPLOY_UNKNOWN_PLUGIN',
  /** the RPC reports another chain id than the one expected */
  'DEPLOY_WRONG_CHAIN',
  /** every RPC URL failed (timeout, HTTP 429, refused …); the message names each URL */
  'DEPLOY_RPC_FAILED',
  /** the deployer's balance is below the estimated cost: nothing was sent */
  'DEPLOY_INSUFFICIENT_FUNDS',
  /** a step's transaction reverted (on chain or in its gas estimate); `details.step` names it */
  'DEPLOY_STEP_REVERTED',
  /** a step could not be sent or confirmed (no receipt, unexpected address); `details.step` names it */
  'DEPLOY_STEP_FAILED',
  /** the deployment record is for another chain, plan or deployer */
  'DEPLOY_RECORD_MISMATCH',
  /** the deployment record does not parse, or a contract it lists has no code on the chain */
  'DEPLOY_RECORD_INVALID',
  /** the deployer key is missing or malformed, or the keystore cannot be opened */
  'DEPLOY_BAD_KEY',
] as const
export type DeployErrorCode = (typeof DEPLOY_ERROR_CODES)[number]

/** Codes that mean the input was wrong (the CLI exits 2 for them). */
export const DEPLOY_BAD_INPUT_CODES: readonly DeployErrorCode[] = [
  'DEPLOY_INVALID_PLAN',
  'DEPLOY_UNKNOWN_PLUGIN',
  'DEPLOY_WRONG_CHAIN',
  'DEPLOY_RECORD_MISMATCH',
  'DEPLOY_RECORD_INVALID',
  'DEPLOY_BAD_KEY',
]

export class DeployError extends WispError<DeployErrorCode> {
  constructor(
    code: DeployErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'DeployError' })
  }
}
