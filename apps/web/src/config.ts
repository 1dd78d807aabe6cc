// The network configuration the web attester fetches at startup (`/wisp-config.json` by default):
// the same operator config every runtime reads (@wisp/operator), written by whoever serves the app:
// the local network with its anvil, contracts, relay and faucet; a public
// deployment with its RPC, AttestationCenter and relays. The key is never in it: it lives in the
// signer worker. Portable (no DOM, no Node): the page, the engine worker and the server import it.
import {
  ADDRESS_RE,
  invalidConfig,
  type OperatorConfig,
  type PluginSpec,
  parseOperatorConfig,
  readObject,
  readString,
  type UrlPluginSpec,
} from '@wisp/operator'

export type Address = `0x${string}`

export { DEFAULT_CONFIG_PATH, isNetworkFile } from './config-file.js'
export type { PluginSpec, UrlPluginSpec }

/** The web attester's config is the operator config; a browser runs the attester role only. */
export type WispWebConfig = OperatorConfig

/** Checks a parsed config file; throws OPERATOR_INVALID_CONFIG naming the first bad field. */
export function parseConfig(value: unknown): WispWebConfig {
  const config = parseOperatorConfig(value)
  if (config.p2p.bootstrap.length === 0)
    throw invalidConfig('config.p2p.bootstrap', 'a browser needs at least one relay')
  return config
}

/**
 * `POST faucet.url` body (a local network only): the server tops up `address` with ETH and stake
 * tokens by plain transfers from its funded account. Registration then goes through the operator's
 * wallet, exactly as on a public network.
 */
export interface FaucetRequest {
  /** the operator's address (checksummed or lower case) */
  address: Address
}

/** 200 answer of the faucet: what the address holds afterwards, and the transfers made. */
export interface FaucetResponse {
  address: Address
  /** the stake token the faucet hands out (registered as a staking contract) */
  stakeToken: Address
  /** wei, decimal strings */
  ethBalance: string
  stakeTokenBalance: string
  /** the transfers sent (none when the address already held enough) */
  txHashes: Address[]
}

/** 4xx/5xx answer of the faucet. */
export interface FaucetError {
  error: { code: string; message: string }
}

/** Checks a faucet request body (the server's side of the contract). */
export function parseFaucetRequest(value: unknown): FaucetRequest {
  const o = readObject(value, 'request')
  return {
    address: readString(o.address, 'request.address', ADDRESS_RE, 'a 0x-prefixed 20-byte address') as Address,
  }
}
