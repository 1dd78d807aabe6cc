import { WispError } from '@wisp/protocol'

export type PluginErrorCode =
  /** The manifest is malformed (id, semver, apiVersion, task definitions, runtimes, capabilities). */
  | 'PLUGIN_INVALID_MANIFEST'
  /** The plugin was built for an API version this engine does not speak. */
  | 'PLUGIN_API_MISMATCH'
  /** Config refused by the plugin's schema. */
  | 'PLUGIN_INVALID_CONFIG'
  /** The plugin asked for a host outside its declared fetch capability. */
  | 'PLUGIN_CAPABILITY_DENIED'
  /** A hook threw, returned something malformed, or was aborted. */
  | 'PLUGIN_HOOK_FAILED'
  /** A hook did not finish before its deadline. */
  | 'PLUGIN_TIMEOUT'
  /** No plugin serves this task definition. */
  | 'PLUGIN_UNKNOWN_TASK_DEFINITION'

export class PluginError extends WispError<PluginErrorCode> {
  constructor(
    code: PluginErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, name: 'PluginError' })
  }
}
