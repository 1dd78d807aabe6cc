import type { Address } from 'viem'
import { checkAddress } from './check.js'
import { ProtocolError } from './codes.js'

/** An operator as leader election sees it. */
export interface LeaderCandidate {
  /** 1-based operator index */
  id: number
  address: Address
  active: boolean
}

export interface LeaderElectionInput {
  blockNumber: bigint
  /** The operator set at that block, in any order. */
  operators: readonly LeaderCandidate[]
  /** For elections that differ per task definition; round robin ignores it. */
  taskDefinitionId?: number
}

/**
 * Picks the performer for a slot (docs/protocol.md §6). Implementations must be pure and
 * deterministic: every attester re-runs the election to check the performer.
 * Throws LEADER_NO_ACTIVE_OPERATORS when nobody can be elected, LEADER_INVALID_INPUT on bad input.
 */
export interface LeaderElection {
  readonly name: string
  electLeader(input: LeaderElectionInput): LeaderCandidate
}

export interface RoundRobinOptions {
  /** Blocks per slot: the leader changes every `interval` blocks. */
  interval: bigint
}

/** One slot per block; AVSs with slower tasks raise it so a performer keeps a slot long enough. */
export const DEFAULT_ROUND_ROBIN_OPTIONS: Readonly<RoundRobinOptions> = Object.freeze({ interval: 1n })

function invalid(message: string, details: Record<string, unknown> = {}): ProtocolError {
  return new ProtocolError('LEADER_INVALID_INPUT', message, { details })
}

/** Active operators sorted by id, after checking the input. Input order never matters. */
function activeById(operators: readonly LeaderCandidate[]): LeaderCandidate[] {
  const seen = new Set<number>()
  for (const op of operators) {
    if (!Number.isSafeInteger(op.id) || op.id < 1)
      throw invalid('operator ids are positive integers', { id: op.id })
    if (seen.has(op.id)) throw invalid('duplicate operator id', { id: op.id })
    seen.add(op.id)
  }
  return operators.filter((op) => op.active === true).sort((a, b) => a.id - b.id)
}

/**
 * Round robin: the leader of block `b` is the `((b / interval) mod n) + 1`-th active operator,
 * where n is the number of active operators and they are ranked by operator id (integer
 * division). Inactive operators are left out before counting, so they never hold a slot and the
 * rotation stays gap-free; when operators 1..n are all active this is exactly "operator index
 * (b / interval) mod n + 1". A change in the active set re-maps slots from that block on, so
 * callers must use the operator set as of `blockNumber`.
 */
export function roundRobinLeader(
  input: LeaderElectionInput,
  options: RoundRobinOptions = DEFAULT_ROUND_ROBIN_OPTIONS,
): LeaderCandidate {
  if (typeof options.interval !== 'bigint' || options.interval < 1n)
    throw invalid('interval must be a bigint ≥ 1')
  if (typeof input.blockNumber !== 'bigint' || input.blockNumber < 0n) {
    throw invalid('blockNumber must be a non-negative bigint')
  }
  const active = activeById(input.operators)
  if (active.length === 0) {
    throw new ProtocolError('LEADER_NO_ACTIVE_OPERATORS', 'no active operator to elect', {
      details: { blockNumber: input.blockNumber.toString() },
    })
  }
  const slot = input.blockNumber / options.interval
  return active[Number(slot % BigInt(active.length))]!
}

export function roundRobinLeaderElection(
  options: RoundRobinOptions = DEFAULT_ROUND_ROBIN_OPTIONS,
): LeaderElection {
  const frozen = Object.freeze({ ...options })
  return { name: 'round-robin', electLeader: (input) => roundRobinLeader(input, frozen) }
}

/** True when `address` is the leader for the input; false (not a throw) when nobody can be elected. */
export function isElectedLeader(
  election: LeaderElection,
  input: LeaderElectionInput,
  address: Address,
): boolean {
  const wanted = checkAddress(address)
  if (!wanted.ok) throw invalid(`address: ${wanted.reason}`)
  try {
    return election.electLeader(input).address.toLowerCase() === wanted.value.toLowerCase()
  } catch (err) {
    if (err instanceof ProtocolError && err.code === 'LEADER_NO_ACTIVE_OPERATORS') return false
    throw err
  }
}

/**
 * A Task does not carry the block its performer was elected at, so attesters accept a window
 * of recent blocks. Bounded so a bad configuration cannot make each check loop for long.
 */
export const MAX_ELECTION_WINDOW_BLOCKS = 1024n

/** True when `address` led any block of `[fromBlock, toBlock]` (inclusive). */
export function wasElectedWithin(
  election: LeaderElection,
  input: Omit<LeaderElectionInput, 'blockNumber'> & { fromBlock: bigint; toBlock: bigint },
  address: Address,
): boolean {
  const { fromBlock, toBlock, ...rest } = input
  if (fromBlock < 0n || toBlock < fromBlock) throw invalid('need 0 ≤ fromBlock ≤ toBlock')
  if (toBlock - fromBlock + 1n > MAX_ELECTION_WINDOW_BLOCKS) {
    throw invalid(`window longer than ${MAX_ELECTION_WINDOW_BLOCKS} blocks`)
  }
  for (let b = fromBlock; b <= toBlock; b++) {
    if (isElectedLeader(election, { ...rest, blockNumber: b }, address)) return true
  }
  return false
}
