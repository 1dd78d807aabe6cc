// The deployment record: one JSON file, rewritten atomically (temporary file + rename) whenever a
// step is signed and whenever it lands. It is what `wisp deploy` resumes from: a step is "sent"
// with its signed transaction before that is broadcast (so a crash in between loses nothing: the
// same bytes are broadcast again), "done" once its receipt has the confirmations asked for.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Address, Hex } from 'viem'
import { DeployError } from './errors.js'

export const RECORD_VERSION = 1

export interface StepRecord {
  status: 'sent' | 'done' | 'reverted'
  label: string
  nonce: number
  txHash: Hex
  /** the signed transaction, broadcast again when a resumed run finds no receipt */
  raw: Hex
  /** a deployment: the contract's address */
  address?: Address
  /** a task definition: its id */
  definitionId?: number
  block?: number
  gasUsed?: string
  /** a reverted step: the contract error's name or the node's message */
  reason?: string
}

export interface DeploymentRecord {
  version: 1
  kind: 'wisp-deployment-record'
  chainId: number
  planHash: Hex
  deployer: Address
  startedAt: string
  updatedAt: string
  /** set once every step is done */
  completedAt?: string
  steps: Record<string, StepRecord>
}

function invalid(path: string, message: string): DeployError {
  return new DeployError('DEPLOY_RECORD_INVALID', `deployment record ${path}: ${message}`, {
    details: { path },
  })
}

/** Reads a record; undefined when the file does not exist, DEPLOY_RECORD_INVALID when it does not parse. */
export async function readRecord(path: string): Promise<DeploymentRecord | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw invalid(path, `cannot be read (${(err as Error).message})`)
  }
  let value: DeploymentRecord
  try {
    value = JSON.parse(text) as DeploymentRecord
  } catch (cause) {
    throw invalid(path, `is not JSON (${(cause as Error).message})`)
  }
  if (value?.kind !== 'wisp-deployment-record' || value.version !== RECORD_VERSION)
    throw invalid(path, `is not a version ${RECORD_VERSION} wisp deployment record`)
  if (!Number.isSafeInteger(value.chainId)) throw invalid(path, 'has no chainId')
  if (typeof value.planHash !== 'string' || typeof value.deployer !== 'string')
    throw invalid(path, 'has no planHash or deployer')
  if (typeof value.steps !== 'object' || value.steps === null) throw invalid(path, 'has no steps')
  for (const [id, step] of Object.entries(value.steps)) {
    if (!['sent', 'done', 'reverted'].includes(step?.status) || typeof step.txHash !== 'string')
      throw invalid(path, `step ${id} is malformed`)
    if (typeof step.raw !== 'string' || !Number.isSafeInteger(step.nonce))
      throw invalid(path, `step ${id} has no signed transaction or nonce`)
  }
  return value
}

/**
 * Writes records one at a time (the last write wins, none interleave), each atomically: a
 * reader — or a resumed run after a crash — sees the previous record or the new one, never half.
 */
export function recordWriter(path: string): { save(record: DeploymentRecord): Promise<void> } {
  let chain: Promise<void> = Promise.resolve()
  let n = 0
  return {
    save(record) {
      record.updatedAt = new Date().toISOString()
      const text = `${JSON.stringify(record, null, 2)}\n`
      const tmp = `${path}.${process.pid}.${n++}.tmp`
      const write = async () => {
        await mkdir(dirname(path), { recursive: true })
        await writeFile(tmp, text)
        await rename(tmp, path)
      }
      chain = chain.then(write, write)
      return chain
    },
  }
}
