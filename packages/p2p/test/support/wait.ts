// Deterministic waiting: on events or by polling a condition, always with a deadline.
import type { GossipTopicKind } from '@wisp/protocol'
import { type WaitOptions, waitFor as waitForCondition } from '@wisp/test-utils'
import type { ReceivedMessage, WispNetwork } from '../../src/index.js'

/** @wisp/test-utils' waitFor with this suite's defaults: 15 s, polled every 25 ms. */
export function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  return waitForCondition(what, probe, { timeoutMs: 15_000, intervalMs: 25, ...options })
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
