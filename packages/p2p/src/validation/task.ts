import type { TaskInfo, WireTask } from '@wisp/protocol'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import { blame } from './blame.js'
import type { Incoming, ValidationContext } from './context.js'
import { judgeOnce } from './dedupe.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { performerCheck, readOutcome } from './signatures.js'

/**
 * A task: known definition, a registered and active performer (else it belongs to another
 * deployment → ignore), not seen before, and a valid performer signature over the taskHash.
 * A bad ECDSA signature is always a reject (every forwarder checks it); a bad BLS one only when
 * its author sent it to us itself (a structural relay cannot check it, see blame.ts).
 */
export async function validateTask(
  task: WireTask,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<Verdict> {
  if (!(await knownDefinition(ctx, task.definitionId))) return ignore('unknown_definition')
  const performer = await lookUpOperator(ctx, task.performer)
  if (performer.verdict !== undefined) return performer.verdict

  return judgeOnce(ctx, incoming, async () => {
    const info: TaskInfo = {
      proofOfTask: task.proofOfTask,
      data: task.data,
      taskPerformer: task.performer,
      taskDefinitionId: task.definitionId,
    }
    const check = await performerCheck(info, task.signature, performer.operator)
    if (check.kind === 'ecdsa') return check.valid ? ACCEPT : reject('bad_performer_signature')
    if (check.kind === 'bls' && ctx.verifier !== undefined) {
      const reading = readOutcome(await ctx.verifier.verify(check.job))
      if (reading === 'invalid') return blame(ctx, incoming, 'bad_performer_signature')
      if (reading === 'internal') return ignore('internal')
    }
    return ACCEPT
  })
}
