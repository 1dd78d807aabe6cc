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
import {
  type AttesterSetCheck,
  evaluateQuorum,
  type OperatorState,
  type QuorumStatus,
  selectAttesters,
} from '@wisp/protocol'
import type { TaskDefinitionInfo } from '../ports.js'

/** The logged code (and metric) of a task held back by its definition's maximum. */
export const MAXIMUM_BELOW_THRESHOLD = 'AGGREGATOR_MAXIMUM_BELOW_THRESHOLD'

export interface VoteSelectionInput {
  /** operators that voted this verdict, in any order */
  voterIds: Iterable<number>
  operators: readonly OperatorState[]
  /** the task's definition as the chain port reads it; undefined: the open rules of definition 0 */
  definition: TaskDefinitionInfo | undefined
  networkTotal: bigint
  isApproved: boolean
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
}

/**
 * Selects the votes to submit and measures them. Throws like evaluateQuorum: QUORUM_INVALID_INPUT,
 * InvalidRequiredVotingPower for a total of 0.
 */
export function selectVotes(input: VoteSelectionInput): VoteSelection {
  const { definition } = input
  const selection = selectAttesters({
    candidateIds: input.voterIds,
    operators: input.operators,
    ...(definition ? { taskDefinition: definition } : {}),
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
  return { selection, quorum, maximumBelowThreshold }
}
