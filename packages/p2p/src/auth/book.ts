// Who each directly connected peer proved to be. Entries live from the first connection to the
// last disconnect; validators wait on pending entries rather than guess.
import { clearTimer, setTimer } from '@wisp/protocol'
import type { Address } from 'viem'

export type PeerAuth =
  | { state: 'pending' }
  | { state: 'operator'; operatorId: number; address: Address }
  | { state: 'read-only' }
  | { state: 'failed'; reason: string }

interface Entry {
  auth: PeerAuth
  waiters: Array<() => void>
}

export class AuthBook {
  readonly #entries = new Map<string, Entry>()

  get(peer: string): PeerAuth | undefined {
    return this.#entries.get(peer)?.auth
  }

  /** Marks a newly connected peer pending, unless it is already known. */
  open(peer: string): boolean {
    if (this.#entries.has(peer)) return false
    this.#entries.set(peer, { auth: { state: 'pending' }, waiters: [] })
    return true
  }

  settle(peer: string, auth: Exclude<PeerAuth, { state: 'pending' }>): void {
    const entry = this.#entries.get(peer)
    if (entry === undefined) return
    entry.auth = auth
    for (const wake of entry.waiters.splice(0)) wake()
  }

  drop(peer: string): void {
    const entry = this.#entries.get(peer)
    this.#entries.delete(peer)
    for (const wake of entry?.waiters.splice(0) ?? []) wake()
  }

  /** The settled state, or `pending` if it is still pending after `timeoutMs`. */
  async wait(peer: string, timeoutMs: number): Promise<PeerAuth | undefined> {
    const entry = this.#entries.get(peer)
    if (entry === undefined || entry.auth.state !== 'pending') return entry?.auth
    await new Promise<void>((resolve) => {
      const timer = setTimer(resolve, timeoutMs)
      entry.waiters.push(() => {
        clearTimer(timer)
        resolve()
      })
    })
    return this.#entries.get(peer)?.auth
  }

  /** Peers proven to be operators: peer id → operator id. */
  operators(): Map<string, number> {
    const out = new Map<string, number>()
    for (const [peer, { auth }] of this.#entries)
      if (auth.state === 'operator') out.set(peer, auth.operatorId)
    return out
  }
}
