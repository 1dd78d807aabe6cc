// Where the page finds its config and what kind of file it is: no schema here, so the first paint
// does not load the operator config's checks (they come in a chunk of their own, app/network.ts).
/** Where the app looks for its config, relative to the page. `?config=<url>` overrides it. */
export const DEFAULT_CONFIG_PATH = 'wisp-config.json'

/**
 * A network file (`wisp deploy` writes it: `rpcUrls`, `contracts`, `relays` at the top) rather than
 * an operator config (`network`, `chain`, `p2p`)? Only the shape is looked at: parsing says what is wrong.
 */
export function isNetworkFile(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const o = value as Record<string, unknown>
  return o.chain === undefined && (Array.isArray(o.rpcUrls) || typeof o.contracts === 'object')
}
