// One verdict per operator per task at the gossip layer. After an attestation's BLS vote verified,
// its verdict is remembered per (taskHash, attester). A verified vote of the opposite verdict is
// an equivocation: it is accepted once (it is the double-attestation proof, which must reach every
// aggregator and watchtower — a first hop that dropped it would bury the proof), counted, and its
// author is penalized; any further new vote of that operator for that task is rejected.
// Votes accepted without a BLS check (voteChecks `sample`) are never recorded: only a genuine
// vote may make its operator an equivocator.

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
    const key = keyOf(taskHash, attester)
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

  /**
   * Whether a vote would be evidence: its operator equivocated on the task, or voted the other
   * verdict there (both verified). A sampling node checks such a vote in full.
   */
  isEvidence(taskHash: string, attester: string, isApproved: boolean): boolean {
    const record = this.#records.get(keyOf(taskHash, attester))
    return record !== undefined && (record.equivocated || record.isApproved !== isApproved)
  }

  get size(): number {
    return this.#records.size
  }
}

function keyOf(taskHash: string, attester: string): string {
  return `${taskHash.toLowerCase()}|${attester.toLowerCase()}`
}
