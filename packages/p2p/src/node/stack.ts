/// <reference types="node" />
// The connection stack shared by Node nodes: WebSocket transport, Noise, Yamux.
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'

export function nodeStack() {
  return {
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}
