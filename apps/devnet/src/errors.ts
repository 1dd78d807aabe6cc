import { WispError } from '@wisp/protocol'

export type DevnetErrorCode =
  /** a flag is unknown, missing its value or out of range (exit code 2) */
  | 'DEVNET_BAD_FLAGS'
  /** another devnet holds this data directory's lock (exit code 3) */
  | 'DEVNET_ALREADY_RUNNING'
  /** a port the devnet needs is taken by another program (exit code 3) */
  | 'DEVNET_PORT_BUSY'

export class DevnetError extends WispError<DevnetErrorCode> {
  constructor(
    code: DevnetErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'DevnetError' })
  }
}
