// comlink speaks the DOM's addEventListener/postMessage; Node's MessagePort and Worker speak
// on/off with the payload itself. This adapts one to the other (what comlink's node-adapter
// does, without its untyped .mjs deep import).
import type { Endpoint } from 'comlink'

interface NodePort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void
  on(event: 'message', listener: (data: unknown) => void): unknown
  off(event: 'message', listener: (data: unknown) => void): unknown
}

type Listener = Parameters<Endpoint['addEventListener']>[1]

export function nodeEndpoint(port: NodePort): Endpoint {
  const wrapped = new WeakMap<object, (data: unknown) => void>()
  return {
    postMessage: (message: unknown, transfer?: readonly unknown[]) => port.postMessage(message, transfer),
    addEventListener: (_type: string, listener: Listener) => {
      const handler = (data: unknown) => {
        const event = { data } as never
        if (typeof listener === 'function') listener(event)
        else listener.handleEvent(event)
      }
      port.on('message', handler)
      wrapped.set(listener as object, handler)
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const handler = wrapped.get(listener as object)
      if (handler === undefined) return
      port.off('message', handler)
      wrapped.delete(listener as object)
    },
  } as Endpoint
}
