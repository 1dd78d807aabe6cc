// The logger interface lives in @wisp/interface (one definition for every layer).
export { type Logger, silentLogger } from '@wisp/interface'
