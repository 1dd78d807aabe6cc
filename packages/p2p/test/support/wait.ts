// Deterministic waiting: on events or by polling a condition, always with a deadline.
import type { GossipTopicKind } from '@wisp/protocol'
import type { ReceivedMessage, WispNetwork } from '../../src/index.js'

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000)
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 25))
  }
}

/** Resolves with the first message of `kind` on `network` that matches. */
export function nextMessage<K extends GossipTopicKind>(
  network: WispNetwork,
  kind: K,
  match: (received: ReceivedMessage<K>) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<ReceivedMessage<K>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no ${kind} message on ${network.peerId} within ${timeoutMs} ms`))
    }, timeoutMs)
    const off = network.onMessage(kind, (received) => {
      if (!match(received)) return
      clearTimeout(timer)
      off()
      resolve(received)
    })
  })
}
