// Waiting with deadlines: poll a condition, or wait for an engine event.
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; context?: () => string } = {},
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
      const extra = options.context ? `\n${options.context()}` : ''
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${extra}`)
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100))
  }
}

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
