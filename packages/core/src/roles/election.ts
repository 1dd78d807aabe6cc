// Leader election as both sides run it: the performer asks "do I lead this block?", attesters ask
// "did this performer lead one of the recent blocks?". One function for both, so they cannot
// disagree on the rule (the plugin's electLeader or round robin) or on the candidates
// (performerIds): a performer that elected itself from a larger set would publish tasks every
// attester refuses.
import { type RoundRobinOptions, wasElectedWithin } from '@wisp/protocol'
import type { PluginRegistry } from '../plugins/registry.js'

type Address = `0x${string}`

export interface ElectionOptions {
  roundRobin?: RoundRobinOptions
  /** operators that may be elected performer (default: every active operator) */
  performerIds?: readonly number[]
}

export interface ElectionQuery {
  /** the operator set (any order; inactive ones are never elected) */
  operators: ReadonlyArray<{ id: number; address: Address; active: boolean }>
  taskDefinitionId: number
  /** blocks whose leaders count, inclusive */
  fromBlock: bigint
  toBlock: bigint
  /** the would-be performer */
  address: Address
}

/** True when `address` is elected performer for a block of [fromBlock, toBlock]. */
export function isElectedPerformer(
  registry: PluginRegistry,
  options: ElectionOptions,
  query: ElectionQuery,
): boolean {
  return wasElectedWithin(
    registry.electionFor(query.taskDefinitionId, options.roundRobin),
    {
      operators: leaderCandidates(query.operators, options.performerIds),
      taskDefinitionId: query.taskDefinitionId,
      fromBlock: query.fromBlock,
      toBlock: query.toBlock,
    },
    query.address,
  )
}

/** The operators an election chooses from: all of them, or only the AVS's designated performers. */
export function leaderCandidates(
  operators: ElectionQuery['operators'],
  performerIds: readonly number[] | undefined,
): Array<{ id: number; address: Address; active: boolean }> {
  const allowed = performerIds === undefined ? undefined : new Set(performerIds)
  return operators
    .filter((o) => allowed === undefined || allowed.has(o.id))
    .map((o) => ({ id: o.id, address: o.address, active: o.active }))
}
