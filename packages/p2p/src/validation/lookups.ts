import type { Address } from 'viem'
import type { OperatorInfo } from '../directory.js'
import { ignore, type Verdict } from '../verdicts.js'
import type { ValidationContext } from './context.js'

/** Without a definitions directory every id counts as known (structural mode). */
export async function knownDefinition(ctx: ValidationContext, id: number): Promise<boolean> {
  return ctx.definitions === undefined || (await ctx.definitions.hasTaskDefinition(id))
}

/**
 * An operator of this deployment. An address we do not know is another contract's operator (or
 * nobody's): not provably bad, just not ours → ignore. Without a directory: no verdict, no info.
 */
export async function lookUpOperator(
  ctx: ValidationContext,
  address: Address,
): Promise<{ verdict?: Verdict; operator?: OperatorInfo }> {
  if (ctx.directory === undefined) return {}
  const operator = await ctx.directory.getOperatorByAddress(address)
  if (operator === undefined) return { verdict: ignore('unknown_operator') }
  if (!operator.active) return { verdict: ignore('inactive_operator') }
  return { operator }
}
