// Multiaddrs as users type them (flags, config files, network files): checked up front, so a bad
// one is named where it was written rather than failing later inside libp2p with no context.
import { multiaddr } from '@multiformats/multiaddr'

/** The peer id a multiaddr ends in (`…/p2p/<id>`), if it does. */
export function peerIdOf(address: string): string | undefined {
  return /\/p2p\/([^/]+)$/.exec(address)?.[1]
}

/**
 * Why `value` is not a usable multiaddr (parsed and encoded with @multiformats/multiaddr, as libp2p
 * will), or undefined when it is. `needsPeerId`: it must end in `/p2p/<peer id>` that decodes, as
 * an address to dial a relay by. The answer completes `<where> "<value>" …` in the caller's error.
 */
export function multiaddrProblem(value: unknown, needsPeerId: boolean): string | undefined {
  let last: { name: string; value?: string } | undefined
  try {
    if (typeof value !== 'string') throw new Error('not a string')
    const parsed = multiaddr(value)
    last = parsed.getComponents().at(-1)
    // a peer id is decoded only when the address is encoded
    try {
      void parsed.bytes
    } catch {
      throw new Error(`${last?.name} "${last?.value}" does not decode`)
    }
  } catch (cause) {
    return `is not a multiaddr: ${(cause as Error).message}`
  }
  if (needsPeerId && last?.name !== 'p2p')
    return "must end in /p2p/<peer id> (the relay's address as it prints it)"
  return undefined
}
