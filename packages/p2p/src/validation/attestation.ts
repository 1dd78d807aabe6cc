import type { VerifyJob } from '@wisp/bls'
import type { TaskInfo, WireAttestation } from '@wisp/protocol'
import type { OperatorInfo } from '../directory.js'
import type { Deployment } from '../options.js'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { SeenCache } from './seen.js'
import { type JobReading, performerCheck, readOutcome, tasksJob, voteDigests } from './signatures.js'

/**
 * An attestation: known definition; attester and performer registered and active (else another
 * deployment's → ignore); with auth on, a directly connected author must be the attester's
 * operator; not seen before; then the performer's signature and the attester's BLS vote, all BLS
 * work in one batch. The vote must verify for an AttestationCenter we serve; one that verifies
 * only for another of the AVS's chains is genuine but not ours (ignore).
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

  const key = SeenCache.key(incoming.topic, incoming.data)
  if (ctx.seen.checkAndMark(key)) return ignore('duplicate')
  const verdict = await checkSignatures(att, ctx, attester.operator, performer.operator)
  if (verdict.outcome !== 'accept') ctx.seen.forget(key)
  return verdict
}

async function checkSignatures(
  att: WireAttestation,
  ctx: ValidationContext,
  attester: OperatorInfo | undefined,
  performer: OperatorInfo | undefined,
): Promise<Verdict> {
  const task: TaskInfo = {
    proofOfTask: att.proofOfTask,
    data: att.data,
    taskPerformer: att.performer.address,
    taskDefinitionId: att.definitionId,
  }
  const check = await performerCheck(task, att.performer.signature, performer)
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
    if (r === 'invalid') return reject('bad_performer_signature')
    if (r === 'internal') return ignore('internal')
  }
  if (readings.length === 0 || readings.includes('valid')) return ACCEPT
  if (readings.includes('internal')) return ignore('internal')

  // Not a vote for us. Forged, or for another chain of this AVS? Rare, so the second round of
  // verification only happens here.
  const foreign = ctx.options.foreignDeployments
  if (foreign.length > 0) {
    const again = (await verifier.verifyMany(voteJobs(foreign))).map(readOutcome)
    if (again.includes('valid')) return ignore('wrong_deployment')
    if (again.includes('internal')) return ignore('internal')
  }
  return reject('bad_attester_signature')
}
