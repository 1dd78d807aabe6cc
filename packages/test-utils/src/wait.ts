// Deterministic waiting for tests: poll a condition or race a promise, always with a deadline and
// a message that says what did not happen. No fixed sleeps.

export interface WaitOptions {
  /** default 30 s */
  timeoutMs?: number
  /** default 100 ms */
  intervalMs?: number
  /** extra text for the failure message (logs, state) */
  context?: () => string | Promise<string>
}

/**
 * Polls `probe` until it returns something other than undefined/false; a probe that throws is
 * retried (its last error is in the failure message). Rejects at the deadline.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      const extra = options.context ? `\n${await options.context()}` : ''
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${extra}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100))
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  context?: () => string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${ms} ms: ${what}${context ? `\n${context()}` : ''}`)),
        ms,
      )
    }),
  ])
}
