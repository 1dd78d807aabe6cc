import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

// engine tests run on in-process ports: anything slower than 15 s is a hang, not a slow machine
export default mergeConfig(shared, { test: { testTimeout: 15_000 } })
