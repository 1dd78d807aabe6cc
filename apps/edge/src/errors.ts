import { WispError } from '@wisp/protocol'

export const EDGE_ERROR_CODES = [
  /**
   * A binding is missing or malformed: the message names it (and, in WISP_CONFIG, the field:
   * `details.path`), never its value when secret.
   */
  'EDGE_INVALID_CONFIG',
  /**
   * An admin request while the attester is not running. Why it is not is in `/status`'s
   * `lastError`, with the cause's own code (`OPERATOR_NOT_AN_OPERATOR`, `CHAIN_RPC_FAILED`, …);
   * the alarm retries the start.
   */
  'EDGE_START_FAILED',
  /** An admin request without the right bearer token, or admin endpoints are off. */
  'EDGE_UNAUTHORIZED',
  /** A request the worker does not understand. */
  'EDGE_BAD_REQUEST',
] as const
export type EdgeErrorCode = (typeof EDGE_ERROR_CODES)[number]

export class EdgeError extends WispError<EdgeErrorCode> {
  constructor(
    code: EdgeErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'EdgeError' })
  }
}

/** A plain-data view of any error for logs and the status JSON (no stacks, no secrets). */
export function describeError(err: unknown): { name: string; code?: string; message: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { name: err.name, ...(typeof code === 'string' ? { code } : {}), message: err.message }
  }
  return { name: 'Error', message: String(err) }
}
