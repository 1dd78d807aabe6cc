import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

// end-to-end tests start anvil, a relay and several nodes: allow them two minutes
export default mergeConfig(shared, { test: { testTimeout: 120_000 } })
