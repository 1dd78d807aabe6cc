/// <reference types="node" />
// The connection stack shared by Node nodes: TCP (what Othentic's nodes speak, e.g.
// `/ip4/…/tcp/9876/p2p/…`) and WebSocket (what browsers and workers can dial), both with Noise
// and Yamux. libp2p hands each listen or dial address to the transport that matches it exactly:
// `/tcp/N` to TCP, `/tcp/N/ws` to WebSocket.
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import type { Libp2pOptions } from 'libp2p'

export function nodeStack(): Pick<Libp2pOptions, 'transports' | 'connectionEncrypters' | 'streamMuxers'> {
  return {
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}
