// A network file loaded by URL (what `wisp deploy` and the devnet write) → this browser's config:
// the attester role on that network, its relays as bootstrap peers, its plugins and faucet. A chunk
// of its own: most pages load an operator config.
import { operatorConfigFromNetwork, parseNetworkFile } from '@wisp/operator'
import { parseConfig, type WispWebConfig } from '../config.js'

/** OPERATOR_INVALID_NETWORK_FILE (or OPERATOR_INVALID_CONFIG) naming the bad field. */
export function configFromNetworkFile(value: unknown): WispWebConfig {
  return parseConfig(operatorConfigFromNetwork(parseNetworkFile(value), { roles: ['attester'] }))
}
