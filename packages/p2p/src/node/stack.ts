/// <reference types="node" />
// The connection stack shared by Node nodes: WebSocket transport, Noise, Yamux.
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Libp2pOptions } from 'libp2p'

export function nodeStack(): Pick<Libp2pOptions, 'transports' | 'connectionEncrypters' | 'streamMuxers'> {
  return {
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}
