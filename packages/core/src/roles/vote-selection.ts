// Which votes of one verdict a submission carries, and whether they are enough.
//
// The rule, the same on every aggregator: the eligible votes (those the contract takes — active
// operators, at or above the definition's minimum, inside its restricted set) all go in while there
// are at most `maximumNumberOfAttesters` of them (0 = no maximum). With more, the `maximum` votes
// of most voting power go in, ties to the lower operator id (@wisp/protocol's selectAttesters).
// Most power first because the threshold is a share of voting power: that set reaches it with the
// fewest signatures, and when it does not, no set within the maximum does. Operators left out are
// not in `attestersIds`, so the contract pays them no attester fee for the task.
//
// The selected set alone is then measured as the contract measures it (evaluateQuorum): its power
// against 2/3 (approve) or 1/3 (reject), floored, of the definition's snapshot total when the
// definition has a restricted set or a minimum voting power, else of the network total. A maximum
// alone does not change the total.
//
// The block gas limit bounds the set too: a submission's gas grows with its attesters, and one
// that needs more than a block holds is never mined. The aggregator turns its gas budget into a
// number of attesters (`gasMaximum`); the lower of that and the definition's maximum applies, by
// the same rule (most power first).
import {
  type AttesterSetCheck,
  evaluateQuorum,
  type OperatorState,
  openTaskDefinition,
  type QuorumStatus,
  selectAttesters,
} from '@wisp/protocol'
import type { TaskDefinitionInfo } from '../ports.js'

/** The logged code (and metric) of a task held back by its definition's maximum. */
export const MAXIMUM_BELOW_THRESHOLD = 'AGGREGATOR_MAXIMUM_BELOW_THRESHOLD'
/** The same when the gas budget (the block gas limit) is the bound. */
export const GAS_BELOW_THRESHOLD = 'AGGREGATOR_GAS_BELOW_THRESHOLD'

export interface VoteSelectionInput {
  /** operators that voted this verdict, in any order */
  voterIds: Iterable<number>
  operators: readonly OperatorState[]
  /** the task's definition as the chain port reads it; undefined: the open rules of definition 0 */
  definition: TaskDefinitionInfo | undefined
  networkTotal: bigint
  isApproved: boolean
  /** the most attesters a submission can carry within the gas budget; undefined: no bound */
  gasMaximum?: number
}

export interface VoteSelection {
  /** the votes to submit (`accepted`, ids increasing) and the refused ones with their contract error */
  selection: AttesterSetCheck
  /** the selected votes against the contract's threshold */
  quorum: QuorumStatus
  /**
   * The maximum cost the threshold: every eligible vote together meets it, the `maximum` of most
   * power do not. Only more votes (of more power) can change that.
   */
  maximumBelowThreshold: boolean
  /** which bound left votes out: the definition's maximum or the gas budget; undefined: none did */
  limitedBy?: 'definition' | 'gas'
}

/**
 * Selects the votes to submit and measures them. Throws like evaluateQuorum: QUORUM_INVALID_INPUT,
 * InvalidRequiredVotingPower for a total of 0.
 */
export function selectVotes(input: VoteSelectionInput): VoteSelection {
  const { definition } = input
  const definitionMaximum = definition?.maximumNumberOfAttesters ?? 0
  const gasBinds =
    input.gasMaximum !== undefined && (definitionMaximum === 0 || input.gasMaximum < definitionMaximum)
  // the gas bound applied as a lower maximum: the contract sees fewer attesters than it allows
  const rules = gasBinds
    ? { ...(definition ?? openTaskDefinition()), maximumNumberOfAttesters: Math.max(1, input.gasMaximum!) }
    : definition
  const selection = selectAttesters({
    candidateIds: input.voterIds,
    operators: input.operators,
    ...(rules ? { taskDefinition: rules } : {}),
  })
  const totals = {
    networkTotal: input.networkTotal,
    ...(definition ? { taskDefinition: definition, definitionTotal: definition.definitionTotal } : {}),
  }
  const quorum = evaluateQuorum({
    ...totals,
    isApproved: input.isApproved,
    signedVotingPower: selection.signedVotingPower,
  })
  const power = new Map(input.operators.map((o) => [o.id, o.votingPower]))
  let leftOut = 0n
  for (const r of selection.rejected)
    if (r.code === 'InvalidMaximumNumberOfAttesters') leftOut += power.get(r.operatorId) ?? 0n
  const maximumBelowThreshold = !quorum.reached && selection.signedVotingPower + leftOut >= quorum.required
  const limitedBy = selection.rejected.some((r) => r.code === 'InvalidMaximumNumberOfAttesters')
  return {
    selection,
    quorum,
    maximumBelowThreshold,
    ...(limitedBy ? { limitedBy: gasBinds ? ('gas' as const) : ('definition' as const) } : {}),
  }
}
