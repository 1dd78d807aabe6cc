import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

export default mergeConfig(shared, {
  test: {
    // builds dist/worker.js once (the bundle every workerd test runs)
    globalSetup: ['test/global-setup.ts'],
    // anvil + deploy + relay + workerd boot in the suites' beforeAll
    hookTimeout: 120_000,
    testTimeout: 90_000,
  },
})
