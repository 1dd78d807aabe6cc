// Shared Vite/Vitest settings for every workspace package.
// Packages resolve each other's TypeScript sources through the "@wisp/source" export condition,
// so tests and the dev server never need a prior build; published consumers get dist/.
import { defineConfig } from 'vitest/config'

export const sourceConditions = ['@wisp/source']

export default defineConfig({
  resolve: { conditions: sourceConditions },
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Shared, noisy 2-core machines: one fork at a time keeps timings and memory predictable.
    pool: 'forks',
    maxWorkers: 1,
    // the JSON report feeds the monorepo's closing line (scripts/test-summary.mjs)
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
})
