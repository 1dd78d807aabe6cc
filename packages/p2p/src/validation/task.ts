import type { TaskInfo, WireTask } from '@wisp/protocol'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { SeenCache } from './seen.js'
import { performerCheck, readOutcome } from './signatures.js'

/**
 * A task: known definition, a registered and active performer (else it belongs to another
 * deployment → ignore), not seen before, and a valid performer signature over the taskHash.
 */
export async function validateTask(
  task: WireTask,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<Verdict> {
  if (!(await knownDefinition(ctx, task.definitionId))) return ignore('unknown_definition')
  const performer = await lookUpOperator(ctx, task.performer)
  if (performer.verdict !== undefined) return performer.verdict

  const key = SeenCache.key(incoming.topic, incoming.data)
  if (ctx.seen.checkAndMark(key)) return ignore('duplicate')

  const info: TaskInfo = {
    proofOfTask: task.proofOfTask,
    data: task.data,
    taskPerformer: task.performer,
    taskDefinitionId: task.definitionId,
  }
  let verdict: Verdict = ACCEPT
  const check = await performerCheck(info, task.signature, performer.operator)
  if (check.kind === 'ecdsa') {
    if (!check.valid) verdict = reject('bad_performer_signature')
  } else if (check.kind === 'bls' && ctx.verifier !== undefined) {
    const reading = readOutcome(await ctx.verifier.verify(check.job))
    if (reading === 'invalid') verdict = reject('bad_performer_signature')
    else if (reading === 'internal') verdict = ignore('internal')
  }
  if (verdict.outcome !== 'accept') ctx.seen.forget(key)
  return verdict
}
