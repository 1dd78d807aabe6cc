import { type GossipTopicKind, safeDecodeMessage, type WireMessageMap } from '@wisp/protocol'
import { ignore, reject, type Verdict, wireRejectReason } from '../verdicts.js'
import { validateAttestation } from './attestation.js'
import { blame } from './blame.js'
import type { Incoming, RateLimitedKind, ValidationContext } from './context.js'
import { validateCustomMessage } from './custom-message.js'
import { validateTask } from './task.js'
import { validateTaskSubmitted } from './task-submitted.js'

export const GOSSIP_KINDS = [
  'task',
  'attestation',
  'taskSubmitted',
  'customMessage',
] as const satisfies readonly GossipTopicKind[]

type Validator<K extends GossipTopicKind> = (
  message: WireMessageMap[K],
  incoming: Incoming,
  ctx: ValidationContext,
) => Verdict | Promise<Verdict>

const VALIDATORS: { [K in GossipTopicKind]: Validator<K> } = {
  task: validateTask,
  attestation: validateAttestation,
  taskSubmitted: validateTaskSubmitted,
  customMessage: validateCustomMessage,
}

export interface ValidationResult<K extends GossipTopicKind> {
  verdict: Verdict
  /** The decoded message when it was decodable. */
  message?: WireMessageMap[K]
  /** What went wrong when the verdict is `internal` (for the log, never for the peer). */
  error?: unknown
}

const RATE_LIMITED: ReadonlySet<GossipTopicKind> = new Set<RateLimitedKind>([
  'task',
  'attestation',
  'taskSubmitted',
])

/**
 * Takes a token from the link's bucket (the peer that sent us this copy, whoever wrote it: a
 * federated relay included, which gossipsub never graylists), decodes strictly (oversized or
 * undecodable → reject; `safeDecodeMessage` compares the byte length with the topic's limit
 * before it parses anything), takes a token from the author's bucket for the topic (before any
 * lookup or BLS work), then applies the kind's rules. Over either bucket → reject when the author
 * sent it itself, ignore when forwarded (blame.ts).
 * Never throws: a bug in a rule becomes ignore/internal.
 */
export async function validateGossip<K extends GossipTopicKind>(
  kind: K,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<ValidationResult<K>> {
  const result = await judge(kind, incoming, ctx)
  const { verdict } = result
  if (verdict.outcome === 'reject') ctx.rejections?.record(kind, verdict.reason, incoming.from)
  return result
}

async function judge<K extends GossipTopicKind>(
  kind: K,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<ValidationResult<K>> {
  if (ctx.linkRate?.take(incoming.from) === false)
    return { verdict: blame(ctx, incoming, 'link_rate_limited', 0) }
  const decoded = safeDecodeMessage(kind, incoming.data, ctx.options.wireLimits)
  if (!decoded.ok) return { verdict: reject(wireRejectReason(decoded.error.code)) }
  const message = decoded.value as WireMessageMap[K]
  if (RATE_LIMITED.has(kind) && !ctx.rates[kind as RateLimitedKind].take(incoming.author ?? incoming.from)) {
    // no penalty beyond P4: when forwarded, the author's own first hop already rate-limited it
    return { verdict: blame(ctx, incoming, 'rate_limited', 0), message }
  }
  try {
    const validator = VALIDATORS[kind] as Validator<K>
    return { verdict: await validator(message, incoming, ctx), message }
  } catch (error) {
    return { verdict: ignore('internal'), message, error }
  }
}
