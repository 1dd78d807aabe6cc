import type { OutcomeCheck } from '@wisp/interface'
import type { WireTaskSubmitted } from '@wisp/protocol'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import { blame } from './blame.js'
import type { Incoming, ValidationContext } from './context.js'
import { judgeOnce } from './dedupe.js'
import { knownDefinition, lookUpOperator } from './lookups.js'

/** Wisp's aggregators announce a task by its taskHash. */
const TASK_HASH = /^0x[0-9a-fA-F]{64}$/

/**
 * A submitted-task announcement carries no signature: the chain is the authority. Structurally
 * the taskId must be a taskHash (else reject `invalid_field`: every node checks this, relays
 * included), the definition known, performer and operator ids registered, the content new. Then,
 * with `outcomes` (the chain), the claim is checked: the transaction must have put this task's
 * outcome on chain with the same verdict and the same attesters (as sets) → accept; refuted or
 * different → `false_outcome` (reject when its author sent it to us itself, see blame.ts); the
 * chain cannot tell yet → ignore `unverified`; too many checks outstanding → ignore `busy`.
 */
export async function validateTaskSubmitted(
  msg: WireTaskSubmitted,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<Verdict> {
  if (!TASK_HASH.test(msg.taskId)) return reject('invalid_field')
  if (!(await knownDefinition(ctx, msg.definitionId))) return ignore('unknown_definition')
  const performer = await lookUpOperator(ctx, msg.performerAddress)
  if (performer.verdict !== undefined) return performer.verdict
  if (ctx.directory !== undefined) {
    for (const id of msg.operatorIds) {
      if ((await ctx.directory.getOperator(id)) === undefined) return ignore('unknown_operator')
    }
  }
  return judgeOnce(ctx, incoming, async () => {
    const checker = ctx.outcomes
    if (checker === undefined) return ACCEPT
    // the chain implementation may wait seconds for a receipt: fine for an async validator
    const checked = await ctx.outcomeCache.check(checker, {
      taskHash: msg.taskId as `0x${string}`,
      txHash: msg.txHash,
      performer: msg.performerAddress,
    })
    if (checked === 'busy') {
      ctx.metrics.outcomeChecked('busy')
      return ignore('busy')
    }
    ctx.metrics.outcomeChecked(checked.cached ? 'cached' : checked.result.status)
    return judgeOutcome(msg, checked.result, incoming, ctx)
  })
}

function judgeOutcome(
  msg: WireTaskSubmitted,
  result: OutcomeCheck,
  incoming: Incoming,
  ctx: ValidationContext,
): Verdict {
  if (result.status === 'unknown') return ignore('unverified')
  if (
    result.status === 'confirmed' &&
    result.isApproved === msg.isApproved &&
    sameSet(result.attesterIds, msg.operatorIds)
  ) {
    return ACCEPT
  }
  return blame(ctx, incoming, 'false_outcome')
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a)
  const sb = new Set(b)
  return sa.size === sb.size && [...sa].every((x) => sb.has(x))
}
