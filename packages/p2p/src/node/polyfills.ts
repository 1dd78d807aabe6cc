/// <reference types="node" />
// Node 20 lacks two things libp2p 3 expects from the platform: `Promise.withResolvers` (used by
// @libp2p/webrtc and others) and a global `WebSocket` (how @libp2p/websockets dials). Imported
// first by every Node entry point, before any libp2p module runs. Node ≥ 22 has both: no-op there.
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

const g = globalThis as { WebSocket?: unknown }
if (typeof g.WebSocket !== 'function') g.WebSocket = WsWebSocket
