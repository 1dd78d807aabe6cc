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

export class CoreError extends WispError<CoreErrorCode> {
  constructor(
    code: CoreErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'CoreError' })
  }
}
