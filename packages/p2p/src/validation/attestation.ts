import type { VerifyJob } from '@wisp/bls'
import { type TaskInfo, taskHash, type WireAttestation } from '@wisp/protocol'
import type { OperatorInfo } from '../directory.js'
import type { Deployment } from '../options.js'
import { ACCEPT, type BlameableReason, ignore, reject, type Verdict } from '../verdicts.js'
import { blame } from './blame.js'
import type { Incoming, ValidationContext } from './context.js'
import { judgeOnce } from './dedupe.js'
import { knownDefinition, lookUpOperator } from './lookups.js'
import {
  type JobReading,
  knownPerformerBls,
  performerCheck,
  readOutcome,
  rememberPerformerBls,
  tasksJob,
  voteDigests,
} from './signatures.js'

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
 * its author sent it to us itself (blame.ts). With voteChecks `sample` most votes skip the BLS
 * check (checksVote); an unchecked vote is accepted and forwarded but never recorded as its
 * operator's verdict.
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
    // forwarded (a relay with auth off, or one that authenticated the author when we could not):
    // not ours to forward, and not the forwarder's fault
    if (gated?.outcome === 'reject') return blame(ctx, incoming, 'unauthenticated', 0)
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
  if (state === 'after_equivocation') return blameVote(ctx, incoming, 'equivocation')
  // The double-attestation proof: accepted so it travels on; the author pays (not the forwarder).
  ctx.metrics.equivocation()
  if (incoming.author !== undefined) {
    ctx.penalties.add(incoming.author, ctx.options.penalties.equivocation)
    ctx.metrics.peerPenalized({ reason: 'equivocation', points: ctx.options.penalties.equivocation })
  }
  return ACCEPT
}

/**
 * Is this vote's BLS signature checked here? Always with voteChecks `all` (an aggregator: what it
 * counts must be genuine). With `sample`: when the vote would be evidence against its operator
 * (another verdict of it on the task verified before), else with probability `sampleRate` drawn
 * from the platform's CSPRNG, so a forger cannot tell which of its votes will be checked.
 */
function checksVote(hash: string, att: WireAttestation, ctx: ValidationContext): boolean {
  const { mode, sampleRate } = ctx.options.voteChecks
  if (mode === 'all') return true
  if (ctx.votes.isEvidence(hash, att.attester.address, att.isApproved)) return true
  if (sampleRate <= 0) return false
  if (sampleRate >= 1) return true
  const [a, b, c, d] = crypto.getRandomValues(new Uint8Array(4))
  return ((a! << 24) | (b! << 16) | (c! << 8) | d!) >>> 0 < sampleRate * 2 ** 32
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

  // a performer BLS signature already judged for this task (by an earlier vote) is not verified again
  const bls = att.performer.signature.type === 'bls' ? att.performer.signature.signature : undefined
  const known =
    bls !== undefined && performer !== undefined ? knownPerformerBls(task, bls, performer) : undefined
  if (known === false) return blame(ctx, incoming, 'bad_performer_signature')
  const performerJob = check.kind === 'bls' && known === undefined ? check.job : undefined

  const voteJobs = (deployments: readonly Deployment[]): VerifyJob[] =>
    voteDigests(task, att.isApproved, deployments).map((d) => tasksJob(d, attester, att.attester.signature))
  const checked = checksVote(taskHash(task), att, ctx)
  const jobs = checked ? voteJobs(ctx.options.deployments) : []
  if (performerJob !== undefined) jobs.push(performerJob)
  if (jobs.length === 0) return ACCEPT

  const readings: JobReading[] = (await verifier.verifyMany(jobs)).map(readOutcome)
  if (performerJob !== undefined) {
    const r = readings.pop()
    if (r !== 'internal' && bls !== undefined && performer !== undefined)
      rememberPerformerBls(task, bls, performer, r === 'valid')
    if (r === 'invalid') return blame(ctx, incoming, 'bad_performer_signature')
    if (r === 'internal') return ignore('internal')
  }
  // not checked (sampling): forwarded on its author's word; the aggregator checks every vote
  if (!checked || readings.length === 0) return ACCEPT
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
  return blameVote(ctx, incoming, 'bad_attester_signature')
}

/**
 * blame() for a vote, unless peers may sample (voteChecks): then honest peers forward votes they
 * did not check, and a reject would cost each of them that delivered a copy too (gossipsub's P4
 * on duplicates of an invalid message). The author alone pays instead: ignore, and P5 points
 * (~8 forged votes take it below the graylist threshold: hung up and banned).
 */
function blameVote(ctx: ValidationContext, incoming: Incoming, reason: BlameableReason): Verdict {
  const { mode, peersSample } = ctx.options.voteChecks
  if (mode === 'all' && !peersSample) return blame(ctx, incoming, reason)
  const points = ctx.options.penalties.forwardedInvalid
  if (incoming.author !== undefined && points > 0) {
    ctx.penalties.add(incoming.author, points)
    ctx.metrics.peerPenalized({ reason, points })
  }
  return ignore(reason)
}
