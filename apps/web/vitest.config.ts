import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

export default mergeConfig(shared, {
  test: {
    // one app build and one local network (anvil, relay, a Node operator, the web server) for all files
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
