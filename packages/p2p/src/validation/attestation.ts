import type { VerifyJob } from '@wisp/bls'
import { type TaskInfo, taskHash, type WireAttestation } from '@wisp/protocol'
import type { OperatorInfo } from '../directory.js'
import type { Deployment } from '../options.js'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import { blame } from './blame.js'
import type { Incoming, ValidationContext } from './context.js'
import { judgeOnce } from './dedupe.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { type JobReading, performerCheck, readOutcome, tasksJob, voteDigests } from './signatures.js'

/** ACCEPT after the attester's vote verified for one of our deployments (not just structurally). */
const VOTE_VERIFIED: Verdict = Object.freeze({ outcome: 'accept', reason: 'valid' })

/**
 * An attestation: known definition; attester and performer registered and active (else another
 * deployment's → ignore); with auth on, a directly connected author must be the attester's
 * operator; not seen before; then the performer's signature and the attester's BLS vote, all BLS
 * work in one batch. The vote must verify for an AttestationCenter we serve; one that verifies
 * only for another of the AVS's chains is genuine but not ours (ignore). A verified vote that
 * contradicts its operator's earlier verified vote on the task is an equivocation (votes.ts):
 * accepted once, its author penalized; further new votes of that operator on the task are refused.
 * A forged BLS vote or performer signature, or a vote after an equivocation, is a reject only when
 * its author sent it to us itself (blame.ts).
 */
export async function validateAttestation(
  att: WireAttestation,
  incoming: Incoming,
  ctx: ValidationContext,
): Promise<Verdict> {
  if (!(await knownDefinition(ctx, att.definitionId))) return ignore('unknown_definition')
  const attester = await lookUpOperator(ctx, att.attester.address)
  if (attester.verdict !== undefined) return attester.verdict
  const performer = await lookUpOperator(ctx, att.performer.address)
  if (performer.verdict !== undefined) return performer.verdict

  if (ctx.gate !== undefined && incoming.author !== undefined) {
    const gated = await ctx.gate.check(incoming.author, att.attester.address)
    if (gated !== undefined) return gated
  }

  return judgeOnce(ctx, incoming, async () => {
    const task: TaskInfo = {
      proofOfTask: att.proofOfTask,
      data: att.data,
      taskPerformer: att.performer.address,
      taskDefinitionId: att.definitionId,
    }
    const verdict = await checkSignatures(task, att, incoming, ctx, attester.operator, performer.operator)
    // only a vote whose BLS signature verified says anything about its operator
    if (verdict !== VOTE_VERIFIED) return verdict
    return oneVerdictPerOperator(taskHash(task), att, incoming, ctx)
  })
}

function oneVerdictPerOperator(
  hash: string,
  att: WireAttestation,
  incoming: Incoming,
  ctx: ValidationContext,
): Verdict {
  const state = ctx.votes.record(hash, att.attester.address, att.isApproved)
  if (state === 'first' || state === 'same') return ACCEPT
  if (state === 'after_equivocation') return blame(ctx, incoming, 'equivocation')
  // The double-attestation proof: accepted so it travels on; the author pays (not the forwarder).
  ctx.metrics.equivocation()
  if (incoming.author !== undefined) {
    ctx.penalties.add(incoming.author, ctx.options.penalties.equivocation)
    ctx.metrics.peerPenalized({ reason: 'equivocation', points: ctx.options.penalties.equivocation })
  }
  return ACCEPT
}

async function checkSignatures(
  task: TaskInfo,
  att: WireAttestation,
  incoming: Incoming,
  ctx: ValidationContext,
  attester: OperatorInfo | undefined,
  performer: OperatorInfo | undefined,
): Promise<Verdict> {
  const check = await performerCheck(task, att.performer.signature, performer)
  // every honest forwarder recovers ECDSA signatures too (structural mode included): plain reject
  if (check.kind === 'ecdsa' && !check.valid) return reject('bad_performer_signature')
  const verifier = ctx.verifier
  if (verifier === undefined || attester === undefined) return ACCEPT

  const voteJobs = (deployments: readonly Deployment[]): VerifyJob[] =>
    voteDigests(task, att.isApproved, deployments).map((d) => tasksJob(d, attester, att.attester.signature))
  const jobs = voteJobs(ctx.options.deployments)
  if (check.kind === 'bls') jobs.push(check.job)
  if (jobs.length === 0) return ACCEPT

  const readings: JobReading[] = (await verifier.verifyMany(jobs)).map(readOutcome)
  if (check.kind === 'bls') {
    const r = readings.pop()
    if (r === 'invalid') return blame(ctx, incoming, 'bad_performer_signature')
    if (r === 'internal') return ignore('internal')
  }
  if (readings.length === 0) return ACCEPT
  if (readings.includes('valid')) return VOTE_VERIFIED
  if (readings.includes('internal')) return ignore('internal')

  // Not a vote for us. Forged, or for another chain of this AVS? Rare, so the second round of
  // verification only happens here.
  const foreign = ctx.options.foreignDeployments
  if (foreign.length > 0) {
    const again = (await verifier.verifyMany(voteJobs(foreign))).map(readOutcome)
    if (again.includes('valid')) return ignore('wrong_deployment')
    if (again.includes('internal')) return ignore('internal')
  }
  return blame(ctx, incoming, 'bad_attester_signature')
}
