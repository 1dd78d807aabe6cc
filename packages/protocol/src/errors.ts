/**
 * The one error type of Wisp. `name` is stable per package, `code` is stable per failure, so
 * callers branch on codes and logs stay searchable. Across worker boundaries send
 * {@link toErrorInfo} (plain data), never the instance.
 */
export class WispError<Code extends string = string> extends Error {
  readonly code: Code
  readonly details: Readonly<Record<string, unknown>>

  constructor(
    code: Code,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown; name?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = options.name ?? 'WispError'
    this.code = code
    this.details = options.details ?? {}
  }
}

/** Plain, structured-clone-safe form of an error: what crosses worker and wire boundaries. */
export interface ErrorInfo {
  name: string
  code: string
  message: string
  details?: Record<string, unknown>
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof WispError) {
    return { name: err.name, code: err.code, message: err.message, details: { ...err.details } }
  }
  if (err instanceof Error) return { name: err.name, code: 'UNEXPECTED', message: err.message }
  return { name: 'Error', code: 'UNEXPECTED', message: String(err) }
}

/** A result union for APIs that must not throw (worker boundaries, gossip validators). */
export type Result<T, E = ErrorInfo> = { ok: true; value: T } | { ok: false; error: E }

/**
 * Runs `fn` and returns its value or the thrown error as plain {@link ErrorInfo}: the bridge from
 * throwing APIs to result unions at worker and validator boundaries. Never throws.
 */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() }
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) }
  }
}
