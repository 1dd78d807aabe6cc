// One verdict per operator per task at the gossip layer. After an attestation's BLS vote verified,
// its verdict is remembered per (taskHash, attester). A verified vote of the opposite verdict is
// an equivocation: it is accepted once (it is the double-attestation proof, which must reach every
// aggregator and watchtower — a first hop that dropped it would bury the proof), counted, and its
// author is penalized; any further new vote of that operator for that task is rejected.

/** What a verified vote means for its (task, operator). */
export type VoteState = 'first' | 'same' | 'equivocation' | 'after_equivocation'

interface Record {
  isApproved: boolean
  equivocated: boolean
}

export class VoteBook {
  readonly #records = new Map<string, Record>()
  readonly #maxEntries: number

  constructor(options: { maxEntries: number }) {
    this.#maxEntries = options.maxEntries
  }

  /** Records a verified vote and says what it is. */
  record(taskHash: string, attester: string, isApproved: boolean): VoteState {
    const key = `${taskHash.toLowerCase()}|${attester.toLowerCase()}`
    const record = this.#records.get(key)
    if (record === undefined) {
      this.#records.set(key, { isApproved, equivocated: false })
      // Map order is insertion order: the oldest tasks are forgotten first
      if (this.#records.size > this.#maxEntries) this.#records.delete(this.#records.keys().next().value!)
      return 'first'
    }
    if (record.equivocated) return 'after_equivocation'
    if (record.isApproved === isApproved) return 'same'
    record.equivocated = true
    return 'equivocation'
  }

  get size(): number {
    return this.#records.size
  }
}
