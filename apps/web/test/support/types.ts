import type {} from 'vitest'

export interface LocalNetworkInfo {
  webUrl: string
  rpcUrl: string
  chainId: number
  attestationCenter: `0x${string}`
  registry: `0x${string}`
  jsonRpcUrl: string
  performerKey: `0x${string}`
  performerAddress: `0x${string}`
  definitionId: number
  iterations: number
  relay: string
  /** fixture plugins served next to the app: path (relative to webUrl) and SHA-256 */
  fixtures: Record<'echo' | 'busy', { path: string; sha256: string; taskDefinitionId: number }>
  setupMs: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    wisp: LocalNetworkInfo
  }
}
