import type { VerifyJob } from '@wisp/bls'
import type { TaskInfo, WireAttestation } from '@wisp/protocol'
import { ACCEPT, ignore, reject, type Verdict } from '../verdicts.js'
import type { Incoming, ValidationContext } from './context.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import { SeenCache } from './seen.js'
import { type JobReading, performerCheck, readOutcome, tasksJob, voteDigests } from './signatures.js'

/**
 * An attestation: known definition; attester and performer registered and active (else another
 * deployment's → ignore); with auth on, a directly connected author must be the attester's
 * operator; not seen before; then the performer's signature and the attester's BLS vote, all BLS
 * work in one batch. The vote must verify for one of the AttestationCenters we serve.
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
  const verdict = await checkSignatures(att, ctx, attester, performer)
  if (verdict.outcome !== 'accept') ctx.seen.forget(key)
  return verdict
}

async function checkSignatures(
  att: WireAttestation,
  ctx: ValidationContext,
  attester: Awaited<ReturnType<typeof lookUpOperator>>,
  performer: Awaited<ReturnType<typeof lookUpOperator>>,
): Promise<Verdict> {
  const task: TaskInfo = {
    proofOfTask: att.proofOfTask,
    data: att.data,
    taskPerformer: att.performer.address,
    taskDefinitionId: att.definitionId,
  }
  const jobs: VerifyJob[] = []
  let performerBlsIndex = -1
  const check = await performerCheck(task, att.performer.signature, performer.operator)
  if (check.kind === 'ecdsa' && !check.valid) return reject('bad_performer_signature')
  if (check.kind === 'bls') performerBlsIndex = jobs.push(check.job) - 1
  const voteStart = jobs.length
  if (attester.operator !== undefined) {
    for (const digest of voteDigests(task, att.isApproved, ctx.options.deployments)) {
      jobs.push(tasksJob(digest, attester.operator, att.attester.signature))
    }
  }
  if (jobs.length === 0 || ctx.verifier === undefined) return ACCEPT

  const readings: JobReading[] = (await ctx.verifier.verifyMany(jobs)).map(readOutcome)
  if (performerBlsIndex >= 0) {
    const r = readings[performerBlsIndex]
    if (r === 'invalid') return reject('bad_performer_signature')
    if (r === 'internal') return ignore('internal')
  }
  const votes = readings.slice(voteStart)
  if (votes.length === 0 || votes.includes('valid')) return ACCEPT
  return votes.includes('internal') ? ignore('internal') : reject('bad_attester_signature')
}
