import type { TaskInput } from '@wisp/plugin-sdk'
import type { TaskInfo, WireAttestation, WireTask } from '@wisp/protocol'
import { hexToBytes } from 'viem'

/** The contract's TaskInfo of a gossiped task or attestation. */
export function taskInfoOf(message: WireTask | WireAttestation): TaskInfo {
  const performer = typeof message.performer === 'string' ? message.performer : message.performer.address
  return {
    proofOfTask: message.proofOfTask,
    data: message.data,
    taskPerformer: performer as TaskInfo['taskPerformer'],
    taskDefinitionId: message.definitionId,
  }
}

/** What a plugin's validate receives. */
export function taskInputOf(task: TaskInfo): TaskInput {
  return {
    proofOfTask: task.proofOfTask,
    data: hexToBytes(task.data),
    taskDefinitionId: task.taskDefinitionId,
    performer: task.taskPerformer,
  }
}
