import type { WireTaskSubmitted } from '@wisp/protocol'
import { ACCEPT, ignore, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { SeenCache } from './seen.js'

/**
 * A submitted-task announcement carries no signature (the chain is the authority: the txHash can
 * be checked there), so gossip only checks that it refers to this deployment and is new.
 */
export async function validateTaskSubmitted(
  msg: WireTaskSubmitted,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<Verdict> {
  if (!(await knownDefinition(ctx, msg.definitionId))) return ignore('unknown_definition')
  const performer = await lookUpOperator(ctx, msg.performerAddress)
  if (performer.verdict !== undefined) return performer.verdict
  if (ctx.directory !== undefined) {
    for (const id of msg.operatorIds) {
      if ((await ctx.directory.getOperator(id)) === undefined) return ignore('unknown_operator')
    }
  }
  return ctx.seen.checkAndMark(SeenCache.key(incoming.topic, incoming.data)) ? ignore('duplicate') : ACCEPT
}
