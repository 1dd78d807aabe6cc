// Gossip does not deliver a node's own messages back to it, but one engine may run several roles
// (performer + attester + aggregator): its attester must see its own performer's task, and its
// aggregator its own attester's vote. This wrapper delivers each published message to the local
// subscribers too, as if it had come back from the network.
import type { GossipTopicKind, WireMessageMap } from '@wisp/protocol'
import type { GossipPort, GossipReceived } from './ports.js'

export const LOCAL_PEER = 'local'

export function withLocalLoopback(inner: GossipPort, operatorId?: number): GossipPort {
  const local = new Map<GossipTopicKind, Set<(r: GossipReceived<GossipTopicKind>) => void>>()
  return {
    async publish<K extends GossipTopicKind>(kind: K, message: WireMessageMap[K]) {
      const result = await inner.publish(kind, message)
      for (const handler of local.get(kind) ?? []) {
        const received = {
          kind,
          message,
          from: LOCAL_PEER,
          ...(operatorId !== undefined ? { operatorId } : {}),
        }
        queueMicrotask(() => handler(received as GossipReceived<GossipTopicKind>))
      }
      return result
    },
    onMessage<K extends GossipTopicKind>(kind: K, handler: (r: GossipReceived<K>) => void) {
      let set = local.get(kind)
      if (set === undefined) {
        set = new Set()
        local.set(kind, set)
      }
      const h = handler as (r: GossipReceived<GossipTopicKind>) => void
      set.add(h)
      const off = inner.onMessage(kind, handler)
      return () => {
        set.delete(h)
        off()
      }
    },
  }
}
