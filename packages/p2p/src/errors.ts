import { WispError } from '@wisp/protocol'

/** Every code a function of this package throws; stable, so callers branch on them. */
export const P2P_ERROR_CODES = [
  'P2P_INVALID_OPTIONS',
  'P2P_INVALID_SEED',
  'P2P_NOT_STARTED',
  'P2P_ENCODE_FAILED',
  'P2P_RATE_LIMITED',
  'P2P_PUBLISH_FAILED',
  'P2P_DIAL_FAILED',
  'P2P_AUTH_FAILED',
  'P2P_MISSING_COMPONENT',
] as const
export type P2PErrorCode = (typeof P2P_ERROR_CODES)[number]

/** The error every function of this package throws; `name` is stable for the package. */
export class P2PError extends WispError<P2PErrorCode> {
  constructor(
    code: P2PErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'P2PError' })
  }
}

export function isP2PError(err: unknown): err is P2PError {
  return err instanceof WispError && err.name === 'P2PError'
}
