import { mergeConfig } from 'vite'
import shared from '../vite.config.ts'

export default mergeConfig(shared, {
  test: {
    // builds the edge worker bundle once (the web app is built by turbo's ^build, or on first use)
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    // one local network, six Chromium contexts and workerd per file: start-up takes a while on 2 cores
    hookTimeout: 180_000,
    testTimeout: 120_000,
  },
})
