// Two tabs of one operator: exactly one attests. A Web Lock per operator address decides; the
// other tab waits in the lock's queue (it takes over when the first closes) and shows the active
// tab's dashboard, which the active tab broadcasts on a BroadcastChannel.
import type { NodeStatus } from '../node/status.js'

export interface OperatorLock {
  /** resolves once this tab holds the lock */
  readonly acquired: Promise<void>
  readonly held: boolean
  release(): void
}

const lockName = (address: string) => `wisp-web:attester:${address.toLowerCase()}`

/**
 * Takes the operator's lock if it is free, else queues for it. `immediately` tells which happened
 * (so the tab can say "another tab is attesting" at once).
 */
export async function requestOperatorLock(
  address: string,
): Promise<{ lock: OperatorLock; immediately: boolean }> {
  const name = lockName(address)
  let release!: () => void
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let held = false
  const hold = async () => {
    held = true
    await released
    held = false
  }
  const abort = new AbortController()
  const immediately = await new Promise<boolean>((resolve, reject) => {
    navigator.locks
      .request(name, { ifAvailable: true }, async (lock) => {
        resolve(lock !== null)
        if (lock !== null) await hold()
      })
      .catch(reject)
  })
  let acquired: Promise<void>
  if (immediately) {
    acquired = Promise.resolve()
  } else {
    acquired = new Promise<void>((resolve, reject) => {
      navigator.locks
        .request(name, { signal: abort.signal }, async () => {
          resolve()
          await hold()
        })
        .catch(reject)
    })
    acquired.catch(() => undefined)
  }
  return {
    immediately,
    lock: {
      acquired,
      get held() {
        return held
      },
      release() {
        abort.abort()
        release()
      },
    },
  }
}

type Message = { type: 'status'; status: NodeStatus } | { type: 'hello' }

/** The active tab's side: broadcasts its status (at most once a second) and answers hellos. */
export function broadcastStatus(address: string): { publish(status: NodeStatus): void; close(): void } {
  const channel = new BroadcastChannel(`wisp-web:status:${address.toLowerCase()}`)
  let latest: NodeStatus | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  const send = () => {
    timer = undefined
    if (latest) channel.postMessage({ type: 'status', status: latest } satisfies Message)
  }
  channel.onmessage = (event: MessageEvent<Message>) => {
    if (event.data.type === 'hello') send()
  }
  return {
    publish(status) {
      latest = status
      timer ??= setTimeout(send, 1000)
    },
    close() {
      clearTimeout(timer)
      channel.close()
    },
  }
}

/** The standby tab's side. */
export function watchStatus(address: string, onStatus: (status: NodeStatus) => void): () => void {
  const channel = new BroadcastChannel(`wisp-web:status:${address.toLowerCase()}`)
  channel.onmessage = (event: MessageEvent<Message>) => {
    if (event.data.type === 'status') onStatus(event.data.status)
  }
  channel.postMessage({ type: 'hello' } satisfies Message)
  return () => channel.close()
}
