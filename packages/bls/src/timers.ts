// Timers exist in every runtime Wisp targets (Node, browsers, workers, workerd) but in no
// TypeScript "lib" we can include without pulling DOM or Node types into portable packages.
type TimerHandle = unknown
interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}
const timers = globalThis as unknown as Timers

export const setTimer = (fn: () => void, ms: number): TimerHandle => timers.setTimeout(fn, ms)
export const clearTimer = (handle: TimerHandle): void => timers.clearTimeout(handle)
export type { TimerHandle }
