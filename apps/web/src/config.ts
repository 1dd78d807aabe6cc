// The network configuration the web attester fetches at startup (`/wisp-config.json` by default):
// the same operator config every runtime reads (@wisp/operator), written by whoever serves the app:
// the local network with its anvil, contracts, relay and registration endpoint; a public
// deployment with its RPC, AttestationCenter and relays. The key is never in it: it lives in the
// signer worker. Portable (no DOM, no Node): the page, the engine worker and the server import it.
import {
  ADDRESS_RE,
  invalidConfig,
  type OperatorConfig,
  type PluginSpec,
  parseOperatorConfig,
  readList,
  readObject,
  readString,
  type UrlPluginSpec,
} from '@wisp/operator'

export type Address = `0x${string}`
export type { PluginSpec, UrlPluginSpec }

/** Where the app looks for its config, relative to the page. `?config=<url>` overrides it. */
export const DEFAULT_CONFIG_PATH = 'wisp-config.json'

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
 * `POST registration.url` body. The devnet funds `address`, stakes for it and registers it on the
 * OperatorRegistry with this key (on anvil it can send `registerAsOperator` as `address` through
 * `anvil_impersonateAccount`, so the browser needs no ECDSA-signed transaction).
 */
export interface RegistrationRequest {
  /** the operator's address (checksummed or lower case) */
  address: Address
  /** G2 key as uint256[4] = [x.re, x.im, y.re, y.im], each a 0x-prefixed 32-byte hex word */
  blsPublicKey: [Address, Address, Address, Address]
  /**
   * Proof of possession: G1 signature [x, y] (0x-hex words) of
   * `hashToPoint(DOMAIN_AUTH, keccak(abi.encode(address, registry, chainId)))` — what
   * `registerAsOperator(blsKey, {signature})` checks.
   */
  proofOfPossession: [Address, Address]
}

/** 200 answer of the registration endpoint. */
export interface RegistrationResponse {
  operatorId: number
  /** the registration transaction; absent when the operator was already registered */
  txHash?: Address
  /** decimal string */
  votingPower: string
}

/** 4xx/5xx answer of the registration endpoint. */
export interface RegistrationError {
  error: { code: string; message: string }
}

/** Checks a registration request body (the devnet's side of the contract). */
export function parseRegistrationRequest(value: unknown): RegistrationRequest {
  const o = readObject(value, 'request')
  const word = (v: unknown, p: string) =>
    readString(v, p, /^0x[0-9a-fA-F]{64}$/, 'a 32-byte 0x-hex word') as Address
  const key = readList(o.blsPublicKey, 'request.blsPublicKey', word)
  const pop = readList(o.proofOfPossession, 'request.proofOfPossession', word)
  if (key.length !== 4) throw invalidConfig('request.blsPublicKey', 'must be 4 words')
  if (pop.length !== 2) throw invalidConfig('request.proofOfPossession', 'must be 2 words')
  return {
    address: readString(o.address, 'request.address', ADDRESS_RE, 'a 0x-prefixed 20-byte address') as Address,
    blsPublicKey: key as RegistrationRequest['blsPublicKey'],
    proofOfPossession: pop as RegistrationRequest['proofOfPossession'],
  }
}
