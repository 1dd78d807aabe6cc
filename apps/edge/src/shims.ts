// What libp2p expects of a browser-like global scope and workerd does not provide. The worker
// installs them once at start-up (worker.ts); each shim is the smallest that works and only fills
// a gap (it never replaces what the runtime has). test/shims.test.ts shows, in real workerd, the
// failure each one fixes; the README quotes the errors.

/**
 * workerd's WebSocket has no `bufferedAmount`. @libp2p/websockets reads it after every send to
 * decide whether it may write more (`bufferedAmount < maxBufferedAmount`) and waits for it to drop
 * to 0 before signalling `drain`; `undefined` makes it stop writing forever, so the Noise
 * handshake times out ("EncryptionFailedError: The operation was aborted due to timeout").
 * workerd buffers sends itself and exposes no backpressure, so 0 is the honest value.
 */
export function shimWebSocketBufferedAmount(ws: { prototype: object } | undefined): boolean {
  if (ws === undefined || 'bufferedAmount' in ws.prototype) return false
  Object.defineProperty(ws.prototype, 'bufferedAmount', {
    configurable: true,
    enumerable: true,
    get: () => 0,
  })
  return true
}

/**
 * workerd has no BroadcastChannel. libp2p's peer store takes per-peer locks from `mortice`, whose
 * browser build opens a `BroadcastChannel` to coordinate tabs even with `singleProcess: true`
 * ("ReferenceError: BroadcastChannel is not defined" at the first identify). A Durable Object is
 * one isolate, so a channel that never leaves it is exactly right.
 */
export class LocalBroadcastChannel extends EventTarget {
  readonly name: string
  onmessage: ((event: MessageEvent) => void) | null = null
  onmessageerror: ((event: MessageEvent) => void) | null = null

  constructor(name: string) {
    super()
    this.name = name
  }

  postMessage(_message: unknown): void {
    // one isolate: a channel has no other end to deliver to
  }

  close(): void {}
}

export function installShims(
  scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>,
): {
  bufferedAmount: boolean
  broadcastChannel: boolean
} {
  const bufferedAmount = shimWebSocketBufferedAmount(scope.WebSocket as { prototype: object } | undefined)
  let broadcastChannel = false
  if (scope.BroadcastChannel === undefined) {
    scope.BroadcastChannel = LocalBroadcastChannel
    broadcastChannel = true
  }
  return { bufferedAmount, broadcastChannel }
}
