// Figures over the e2e runs (waiting itself: `waitFor` / `withTimeout` from @wisp/test-utils).

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]!
}
