// Deterministic waiting: poll a condition or wait for an event, always with a deadline and a
// message that says what did not happen. No fixed sleeps.

export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  /** extra text for the failure message (logs, state) */
  context?: () => string | Promise<string>
}

/** Polls `probe` until it returns something other than undefined/false; rejects at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
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
        `timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${extra}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100))
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    }),
  ])
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]!
}
