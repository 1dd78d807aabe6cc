// Typed events for every step of a task's life: what dashboards, logs and tests watch.
import type { Verdict } from '@wisp/plugin-sdk'

type Hex = `0x${string}`

export interface EngineEvents {
  'task:performed': { taskHash: Hex; taskDefinitionId: number; proofOfTask: string; recipients: number }
  'task:perform-failed': { taskDefinitionId: number; reason: string }
  /** the aggregator published a task its sendTask took again: `operatorId` voted on a later one, not on it */
  'task:copied': { taskHash: Hex; operatorId: number; copy: number }
  'task:received': { taskHash: Hex; taskDefinitionId: number; performer: Hex; from: string }
  'task:ignored': { taskHash?: Hex; reason: string }
  'vote:decided': { taskHash: Hex; verdict: Verdict; latencyMs: number }
  'vote:published': { taskHash: Hex; voteHash: Hex; isApproved: boolean; recipients: number }
  'vote:refused': { taskHash: Hex; reason: string }
  'attestation:received': { voteHash: Hex; taskHash: Hex; operatorId: number; isApproved: boolean }
  'attestation:dropped': { voteHash?: Hex; reason: string; operatorId?: number }
  'quorum:reached': {
    taskHash: Hex
    voteHash: Hex
    isApproved: boolean
    attesterIds: number[]
    signed: bigint
    required: bigint
  }
  'submission:sent': {
    taskHash: Hex
    isApproved: boolean
    attesterIds: number[]
    txHash: Hex
    event: string
    /** the submitted aggregate, 64 bytes (a proof of incorrect attestation needs it) */
    aggregateSignature?: Uint8Array
  }
  'submission:already-done': { taskHash: Hex }
  'submission:failed': { taskHash: Hex; code: string; message: string; attempt: number; final: boolean }
  'outcome:received': { taskHash?: Hex; txHash: Hex; isApproved: boolean; operatorIds: number[] }
  /** the watchtower's proof of misbehaviour landed: the operator was slashed */
  'slashing:proved': {
    kind: 'double-attestation' | 'incorrect-attestation'
    taskHash: Hex
    operatorId: number
    txHash: Hex
    slashedStake: bigint
    challengerReward: bigint
  }
  'slashing:failed': {
    kind: 'double-attestation' | 'incorrect-attestation'
    taskHash: Hex
    operatorId: number
    code: string
    message: string
    final: boolean
  }
}

export type EngineEventName = keyof EngineEvents
type Listener<E extends EngineEventName> = (event: EngineEvents[E]) => void

export class EventBus {
  readonly #listeners = new Map<EngineEventName, Set<Listener<EngineEventName>>>()

  on<E extends EngineEventName>(name: E, listener: Listener<E>): () => void {
    let set = this.#listeners.get(name)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(name, set)
    }
    set.add(listener as Listener<EngineEventName>)
    return () => set.delete(listener as Listener<EngineEventName>)
  }

  /** Resolves with the first event that matches. */
  once<E extends EngineEventName>(
    name: E,
    match: (event: EngineEvents[E]) => boolean = () => true,
    signal?: AbortSignal,
  ): Promise<EngineEvents[E]> {
    return new Promise((resolve, reject) => {
      const off = this.on(name, (event) => {
        if (!match(event)) return
        off()
        resolve(event)
      })
      signal?.addEventListener(
        'abort',
        () => {
          off()
          reject(signal.reason)
        },
        { once: true },
      )
    })
  }

  emit<E extends EngineEventName>(name: E, event: EngineEvents[E]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        listener(event)
      } catch {
        // a listener's bug must not break the engine
      }
    }
  }
}
