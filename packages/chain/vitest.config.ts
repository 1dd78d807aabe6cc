import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

// every file starts its own anvil; a test that takes longer than 60 s is a hang
export default mergeConfig(shared, {})
