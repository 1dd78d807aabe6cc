// What the engine needs from the chain for internal tasks (10001 voting-power sync, 10002
// per-definition totals refresh): the task that would fix what differs now, and the check of a
// task's data against the chain. @wisp/chain's `createInternalTasks` is one (structurally).
import type { Verdict } from '@wisp/plugin-sdk'
import { FIRST_INTERNAL_TASK_DEFINITION_ID, LAST_INTERNAL_TASK_DEFINITION_ID } from '@wisp/protocol'

type Hex = `0x${string}`

export type InternalTaskPlanResult =
  | {
      status: 'task'
      plan: {
        taskDefinitionId: number
        data: Hex
        /** what it changes: operator ids (10001) or definition ids (10002) */
        ids: number[]
        /** the block the state was read at */
        blockNumber: bigint
      }
    }
  | { status: 'in-sync'; blockNumber: bigint }
  /** this backend cannot plan it (10001 on Othentic needs L1 stake data) */
  | { status: 'unsupported'; reason: string }

export interface InternalTasksPort {
  plan(taskDefinitionId: number): Promise<InternalTaskPlanResult>
  /** approve / reject from chain state; abstain where the backend cannot judge */
  check(taskDefinitionId: number, data: Hex): Promise<Verdict>
}

export const VOTING_POWER_SYNC_TASK = FIRST_INTERNAL_TASK_DEFINITION_ID
export const DEFINITION_TOTALS_TASK = LAST_INTERNAL_TASK_DEFINITION_ID

export function isInternalTask(taskDefinitionId: number): boolean {
  return (
    taskDefinitionId >= FIRST_INTERNAL_TASK_DEFINITION_ID &&
    taskDefinitionId <= LAST_INTERNAL_TASK_DEFINITION_ID
  )
}

/**
 * The attester's built-in validator for internal tasks (never a plugin nor the AVS's validation
 * service: the data is the protocol's own). A chain read that fails is an abstention, not a verdict.
 */
export async function validateInternalTask(
  port: InternalTasksPort,
  task: { taskDefinitionId: number; data: Hex },
): Promise<Verdict> {
  try {
    return await port.check(task.taskDefinitionId, task.data)
  } catch (err) {
    return { kind: 'abstain', reason: `internal task check failed: ${(err as Error).message.split('\n')[0]}` }
  }
}
