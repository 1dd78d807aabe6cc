import { WispError } from '@wisp/protocol'

export type CoreErrorCode =
  /** No plugin serves the task definition of a task. */
  | 'ENGINE_UNKNOWN_TASK_DEFINITION'
  /** Two plugins claim one task definition, or a plugin cannot run in this runtime. */
  | 'ENGINE_PLUGIN_CONFLICT'
  | 'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME'
  /** A plugin module did not default-export a definePlugin() result, or its content hash differs. */
  | 'ENGINE_PLUGIN_LOAD_FAILED'
  /** Options that cannot work together, or a component an option needs is missing. */
  | 'ENGINE_INVALID_OPTIONS'
  /** sendTask: the task definition does not exist on chain */
  | 'SEND_TASK_UNKNOWN_DEFINITION'
  /** sendTask: the performer is not a registered, active operator */
  | 'SEND_TASK_INACTIVE_PERFORMER'
  /** sendTask: the signature is not the performer's (wrong signer, garbage, a point off the curve) */
  | 'SEND_TASK_BAD_SIGNATURE'
  /** sendTask: the performer was not elected within the election window */
  | 'SEND_TASK_NOT_ELECTED'

export class CoreError extends WispError<CoreErrorCode> {
  constructor(
    code: CoreErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'CoreError' })
  }
}
