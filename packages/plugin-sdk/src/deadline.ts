import { PluginError } from './errors.js'

/**
 * Runs a plugin hook with a deadline. The hook gets a signal that aborts at the deadline or when
 * `parent` aborts; the returned promise settles by the deadline even if the hook ignores the
 * signal (its late result is dropped), so a hanging plugin cannot stall the engine.
 */
export async function withDeadline<T>(
  hook: (signal: AbortSignal) => Promise<T>,
  options: { timeoutMs: number; parent?: AbortSignal; what: string; pluginId: string },
): Promise<T> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let onParentAbort: (() => void) | undefined
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new PluginError(
        'PLUGIN_TIMEOUT',
        `${options.pluginId} ${options.what} exceeded ${options.timeoutMs} ms`,
        {
          details: { pluginId: options.pluginId, hook: options.what, timeoutMs: options.timeoutMs },
        },
      )
      controller.abort(error)
      reject(error)
    }, options.timeoutMs)
    if (options.parent !== undefined) {
      onParentAbort = () => {
        const error = new PluginError(
          'PLUGIN_HOOK_FAILED',
          `${options.pluginId} ${options.what} was aborted`,
          {
            details: { pluginId: options.pluginId, hook: options.what },
            cause: options.parent?.reason,
          },
        )
        controller.abort(error)
        reject(error)
      }
      if (options.parent.aborted) onParentAbort()
      else options.parent.addEventListener('abort', onParentAbort, { once: true })
    }
  })
  stopped.catch(() => undefined)
  try {
    return await Promise.race([
      (async () => hook(controller.signal))().catch((cause: unknown) => {
        if (cause instanceof PluginError) throw cause
        throw new PluginError(
          'PLUGIN_HOOK_FAILED',
          `${options.pluginId} ${options.what} threw: ${describe(cause)}`,
          {
            details: { pluginId: options.pluginId, hook: options.what },
            cause,
          },
        )
      }),
      stopped,
    ])
  } finally {
    clearTimeout(timer)
    if (onParentAbort !== undefined) options.parent?.removeEventListener('abort', onParentAbort)
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
