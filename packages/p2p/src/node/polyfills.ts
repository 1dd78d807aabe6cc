/// <reference types="node" />
// Node 20 lacks two things libp2p 3 expects from the platform: `Promise.withResolvers` (used by
// @libp2p/webrtc and others) and a global `WebSocket` (how @libp2p/websockets dials). Imported
// first by every Node entry point, before any libp2p module runs. Node ≥ 22 has both: no-op there.
// The `WebSocket` given is ws's, made to treat errors as the WHATWG one does (below).
import { WebSocket as WsWebSocket } from 'ws'

interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void }
}

const P = Promise as unknown as WithResolvers
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<T>((res, rej) => {
      resolve = res
      reject = rej
    })
    return { promise, resolve, reject }
  }
}

/**
 * ws's WebSocket, except that an 'error' nobody listens to is dropped, as a WHATWG WebSocket's is,
 * instead of crashing the process. @libp2p/websockets is written for the WHATWG one: when a dial
 * is aborted (the node stopping, a timeout) it stops listening and closes the socket, and ws then
 * still reports the handshake's end as an 'error' — "closed before the connection was
 * established", or the 503 a relay that is shutting down answers — with no listener left.
 * The dialer has already failed that dial; whoever still listens hears every error as before.
 */
export class NodeWebSocket extends WsWebSocket {
  constructor(...args: ConstructorParameters<typeof WsWebSocket>) {
    super(...args)
    this.on('error', ignoreUnheardError)
  }
}

function ignoreUnheardError(): void {}

const g = globalThis as { WebSocket?: unknown }
if (typeof g.WebSocket !== 'function') g.WebSocket = NodeWebSocket
