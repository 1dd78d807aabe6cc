// The one way a task reaches the network. The performer's own tasks and those an AVS's performer
// service signed and handed over through JSON-RPC sendTask get the same gossip message, the same
// `task:performed` event, log line and metric, so dashboards cannot tell the paths apart.
import {
  formatPerformerSignature,
  type PerformerSignature,
  type TaskInfo,
  taskHash,
  type WireTask,
} from '@wisp/protocol'
import type { EventBus } from '../events.js'
import type { GossipPort, Logger, MetricsPort } from '../ports.js'
import type { Republisher } from './republisher.js'

type Hex = `0x${string}`

export interface PublishComponents {
  gossip: GossipPort
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  /** keeps the task until its outcome is on chain (see republisher.ts) */
  republisher?: Republisher
}

export interface PublishedTask {
  task: TaskInfo
  taskHash: Hex
  signature: PerformerSignature
  recipients: number
  /** the gossip message as published */
  message: WireTask
}

/**
 * Gossips a signed task. `trigger` says what caused it (interval, block, custom-message, send-task,
 * …) and labels `wisp_performer_tasks_total`.
 */
export async function publishTask(
  c: PublishComponents,
  task: TaskInfo,
  signature: PerformerSignature,
  trigger: string,
): Promise<PublishedTask> {
  const hash = taskHash(task)
  const message: WireTask = {
    proofOfTask: task.proofOfTask,
    data: task.data,
    performer: task.taskPerformer,
    definitionId: task.taskDefinitionId,
    signature,
  }
  const { recipients } = await c.gossip.publish('task', message)
  await c.republisher?.track('task', hash, message)
  c.events.emit('task:performed', {
    taskHash: hash,
    taskDefinitionId: task.taskDefinitionId,
    proofOfTask: task.proofOfTask,
    recipients,
  })
  c.metrics.increment('wisp_performer_tasks_total', { trigger })
  c.logger.info('task published', {
    taskHash: hash,
    trigger,
    signature: formatPerformerSignature(signature).slice(0, 18),
    recipients,
  })
  return { task, taskHash: hash, signature, recipients, message }
}
