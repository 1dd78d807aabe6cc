// In-process gossip bus for engine tests: every engine publishes to and hears from the same bus,
// with structured-clone copies so no engine can mutate another's message. It stands in for
// libp2p only in these unit tests; the network is tested for real in @wisp/p2p and end to end.
import type { GossipTopicKind, WireMessageMap } from '@wisp/protocol'
import type { GossipPort, GossipReceived } from '../../src/index.js'

type AnyHandler = (r: GossipReceived<GossipTopicKind>) => void

export class MemoryGossipBus {
  readonly #members = new Map<string, Map<GossipTopicKind, Set<AnyHandler>>>()
  /** drop messages to a peer (simulates a partition) */
  readonly partitioned = new Set<string>()
  readonly published: Array<{ from: string; kind: GossipTopicKind; message: unknown }> = []

  join(peerId: string, operatorId?: number): GossipPort {
    const handlers = new Map<GossipTopicKind, Set<AnyHandler>>()
    this.#members.set(peerId, handlers)
    return {
      publish: async <K extends GossipTopicKind>(kind: K, message: WireMessageMap[K]) => {
        this.published.push({ from: peerId, kind, message })
        let recipients = 0
        for (const [other, theirs] of this.#members) {
          if (other === peerId || this.partitioned.has(other)) continue
          const set = theirs.get(kind)
          if (set === undefined || set.size === 0) continue
          recipients++
          const copy = structuredClone(message)
          queueMicrotask(() => {
            for (const h of set)
              h({
                kind,
                message: copy,
                from: peerId,
                ...(operatorId ? { operatorId } : {}),
              } as GossipReceived<GossipTopicKind>)
          })
        }
        return { recipients }
      },
      onMessage: <K extends GossipTopicKind>(kind: K, handler: (r: GossipReceived<K>) => void) => {
        let set = handlers.get(kind)
        if (set === undefined) {
          set = new Set()
          handlers.set(kind, set)
        }
        set.add(handler as AnyHandler)
        return () => set.delete(handler as AnyHandler)
      },
    }
  }
}
