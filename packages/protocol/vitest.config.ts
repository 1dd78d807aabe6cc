import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

// Pure functions without global state: sharing one module graph across test files saves
// re-importing viem per file, which is most of this package's test time.
export default mergeConfig(shared, { test: { isolate: false } })
