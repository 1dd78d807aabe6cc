// Signature checks of gossip messages. BLS checks become byte jobs for the injected verifier,
// collected per message and sent as one `verifyMany`, so concurrent messages share batches.
import type { VerifyJob, VerifyOutcome } from '@wisp/bls'
import {
  DOMAIN_TASKS,
  type G1Point,
  isValidEcdsaPerformerSignature,
  type PerformerSignature,
  type TaskInfo,
  taskHash,
  voteHash,
  writeWord,
} from '@wisp/protocol'
import { bytesToHex, hexToBytes } from 'viem'
import type { OperatorInfo } from '../directory.js'
import type { Deployment } from '../options.js'

const DOMAIN_TASKS_BYTES = hexToBytes(DOMAIN_TASKS)

export function g1PointBytes(point: G1Point): Uint8Array {
  const out = new Uint8Array(64)
  writeWord(out, 0, point.x)
  writeWord(out, 32, point.y)
  return out
}

/** A BLS job over `DOMAIN_TASKS`: the domain of performer task signatures and attester votes. */
export function tasksJob(digest: `0x${string}`, signer: OperatorInfo, signature: G1Point): VerifyJob {
  return {
    domain: DOMAIN_TASKS_BYTES,
    digest: hexToBytes(digest),
    publicKey: signer.blsPublicKey,
    signature: g1PointBytes(signature),
  }
}

/** The vote digests an attestation may be signed over: one per AttestationCenter we serve. */
export function voteDigests(
  task: TaskInfo,
  isApproved: boolean,
  deployments: readonly Deployment[],
): `0x${string}`[] {
  return deployments.map((d) =>
    voteHash(task, { attestationCenter: d.attestationCenter, chainId: d.chainId, isApproved }),
  )
}

/**
 * Every vote on a task carries the task's performer signature too: a BLS one is verified once per
 * (task, signature, key) and the answer remembered, like ECDSA (isValidEcdsaPerformerSignature remembers its answers). Without it a node that does
 * not check every vote (voteChecks `sample`) would still verify a pairing per vote.
 */
const BLS_MEMO_MAX = 4096
const performerBlsMemo = new Map<string, boolean>()

function performerBlsKey(task: TaskInfo, signature: G1Point, performer: OperatorInfo): string {
  return `${taskHash(task)}|${signature.x}|${signature.y}|${bytesToHex(performer.blsPublicKey)}`
}

/** A remembered answer for this performer BLS signature, or undefined. */
export function knownPerformerBls(
  task: TaskInfo,
  signature: G1Point,
  performer: OperatorInfo,
): boolean | undefined {
  return performerBlsMemo.get(performerBlsKey(task, signature, performer))
}

export function rememberPerformerBls(
  task: TaskInfo,
  signature: G1Point,
  performer: OperatorInfo,
  valid: boolean,
): void {
  if (performerBlsMemo.size >= BLS_MEMO_MAX) performerBlsMemo.delete(performerBlsMemo.keys().next().value!)
  performerBlsMemo.set(performerBlsKey(task, signature, performer), valid)
}

export type PerformerCheck =
  | { kind: 'ecdsa'; valid: boolean }
  | { kind: 'bls'; job: VerifyJob }
  | { kind: 'skipped' }

/**
 * ECDSA is recovered here (no registered key needed); BLS becomes a job for the batch, or is
 * skipped when the performer's key is unknown (structural mode, no directory).
 */
export async function performerCheck(
  task: TaskInfo,
  signature: PerformerSignature,
  performer: OperatorInfo | undefined,
): Promise<PerformerCheck> {
  if (signature.type === 'ecdsa') {
    return { kind: 'ecdsa', valid: await isValidEcdsaPerformerSignature(task, signature.signature) }
  }
  if (performer === undefined) return { kind: 'skipped' }
  return { kind: 'bls', job: tasksJob(taskHash(task), performer, signature.signature) }
}

/**
 * Reading of one BLS outcome. A job the verifier could not decode (a point off the curve) is
 * the sender's fault; a failed or closed pool is ours and must not count against the peer.
 */
export type JobReading = 'valid' | 'invalid' | 'internal'

const OUR_FAILURES = new Set(['BLS_POOL_CLOSED', 'BLS_WORKER_FAILED', 'UNEXPECTED'])

export function readOutcome(outcome: VerifyOutcome | undefined): JobReading {
  if (outcome === undefined) return 'internal'
  if (outcome.ok) return outcome.valid ? 'valid' : 'invalid'
  return OUR_FAILURES.has(outcome.error.code) ? 'internal' : 'invalid'
}
