import { WispError } from '@wisp/protocol'

export type RelayErrorCode = 'RELAY_INVALID_ARGS' | 'RELAY_INVALID_CONFIG'

export class RelayError extends WispError<RelayErrorCode> {
  constructor(code: RelayErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, name: 'RelayError' })
  }
}
