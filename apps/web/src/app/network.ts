// The page's config checks, in a chunk of their own (the operator config schema is too large for
// the first paint): an operator config, or a network file loaded by URL (what `wisp deploy` and the
// devnet write) → this browser's config: the attester role on that network, its relays as
// bootstrap peers, its plugins and faucet.
import { operatorConfigFromNetwork, parseNetworkFile } from '@wisp/operator'
import { parseConfig, type WispWebConfig } from '../config.js'

export { parseConfig }

/** OPERATOR_INVALID_NETWORK_FILE (or OPERATOR_INVALID_CONFIG) naming the bad field. */
export function configFromNetworkFile(value: unknown): WispWebConfig {
  return parseConfig(operatorConfigFromNetwork(parseNetworkFile(value), { roles: ['attester'] }))
}
