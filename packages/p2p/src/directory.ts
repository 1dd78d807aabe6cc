// What the network layer needs to know about the AVS: its operators and task definitions. The
// chain package implements these against the contracts; tests and static deployments use the
// in-memory versions below.
import type { OperatorDirectory, OperatorRecord, TaskDefinitionDirectory } from '@wisp/interface'
import { getAddress } from 'viem'

export type { OperatorDirectory, TaskDefinitionDirectory } from '@wisp/interface'

/** An operator as the network layer sees it: the shared record of @wisp/interface. */
export type OperatorInfo = OperatorRecord

/** A fixed operator set, e.g. from a config file or a test. Addresses match case-insensitively. */
export function createMemoryOperatorDirectory(operators: readonly OperatorInfo[]): OperatorDirectory {
  const byId = new Map<number, OperatorInfo>()
  const byAddress = new Map<string, OperatorInfo>()
  for (const op of operators) {
    byId.set(op.id, op)
    byAddress.set(getAddress(op.address), op)
  }
  return {
    getOperator: async (id) => byId.get(id),
    getOperatorByAddress: async (address) => {
      try {
        return byAddress.get(getAddress(address))
      } catch {
        return undefined
      }
    },
  }
}

/** A fixed set of task definition ids. */
export function createMemoryTaskDefinitions(ids: Iterable<number>): TaskDefinitionDirectory {
  const set = new Set(ids)
  return { hasTaskDefinition: async (id) => set.has(id) }
}
