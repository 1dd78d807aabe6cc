import { clearTimer, setTimer } from '@wisp/protocol'

/**
 * An abort signal that fires after `ms`, and a `clear` to call when the work finished first.
 * (`AbortSignal.timeout` is not in every runtime's typings we compile against; this is.)
 */
export function timeoutSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController()
  const timer = setTimer(() => controller.abort(new TimeoutError(ms)), ms)
  return { signal: controller.signal, clear: () => clearTimer(timer) }
}

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`)
    this.name = 'TimeoutError'
  }
}
