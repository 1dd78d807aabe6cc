import { WispError } from '@wisp/protocol'

export type CoreErrorCode =
  /** No plugin serves the task definition of a task. */
  | 'ENGINE_UNKNOWN_TASK_DEFINITION'
  /** Two plugins claim one task definition, or a plugin cannot run in this runtime. */
  | 'ENGINE_PLUGIN_CONFLICT'
  | 'ENGINE_PLUGIN_UNSUPPORTED_RUNTIME'
  /** A plugin module did not default-export a definePlugin() result, or its content hash differs. */
  | 'ENGINE_PLUGIN_LOAD_FAILED'
  /** A task whose performer was not elected, or whose signature does not verify. */
  | 'ENGINE_PERFORMER_NOT_ELECTED'
  | 'ENGINE_BAD_PERFORMER_SIGNATURE'
  /** This node is not a registered, active operator but a role needs it. */
  | 'ENGINE_NOT_AN_OPERATOR'
  /** The chain refused or could not take a submission after all retries. */
  | 'ENGINE_SUBMISSION_FAILED'
  /** The engine was stopped. */
  | 'ENGINE_STOPPED'
  /** Options that cannot work together. */
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
