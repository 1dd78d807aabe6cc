import type { ConnectionGater } from '@libp2p/interface'
import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import { WebSockets } from '@multiformats/multiaddr-matcher'

/**
 * libp2p's browser default refuses `ws://` and private/loopback addresses. That is right on the
 * public internet (wss relays), wrong for a local network or a devnet on 127.0.0.1: there, allow
 * both explicitly.
 */
export function browserConnectionGater(options: { allowLocalNetworks: boolean }): ConnectionGater {
  return {
    denyDialMultiaddr: (ma: Multiaddr) => {
      if (options.allowLocalNetworks) return false
      return WebSockets.matches(ma) || isPrivate(ma)
    },
  }
}
