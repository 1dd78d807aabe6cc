// Timers exist in every runtime Wisp targets (Node, browsers, workers, workerd) but in no
// TypeScript "lib" a portable package can include without pulling in DOM or Node types.
// Shared by @wisp/bls and @wisp/p2p.
type TimerHandle = unknown
interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}
const timers = globalThis as unknown as Timers

export const setTimer = (fn: () => void, ms: number): TimerHandle => timers.setTimeout(fn, ms)
export const clearTimer = (handle: TimerHandle): void => timers.clearTimeout(handle)
export type { TimerHandle }
