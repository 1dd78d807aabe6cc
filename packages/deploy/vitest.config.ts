import { mergeConfig } from 'vite'
import shared from '../../vite.config.ts'

export default mergeConfig(shared, {})
