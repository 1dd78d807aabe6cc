// The example AVS's task logic, shared by its two services: the execution service (the performer)
// proves a piece of data by its SHA-256; the validation service recomputes it. Node built-ins only,
// so both services run without an install step.
import { createHash } from 'node:crypto'

/** The data of task number `n` (hex) and its proof: the SHA-256 of the data, hex. */
export function makeTask(n, now = Date.now()) {
  const data = `0x${Buffer.from(`example-task:${n}:${now}`, 'utf8').toString('hex')}`
  return { data, proofOfTask: proofOf(data) }
}

export function proofOf(data) {
  const bytes = Buffer.from(String(data).replace(/^0x/, ''), 'hex')
  return createHash('sha256').update(bytes).digest('hex')
}

/** What the validation service answers for a task: is its proof the data's SHA-256? */
export function isValid({ proofOfTask, data }) {
  return typeof proofOfTask === 'string' && typeof data === 'string' && proofOf(data) === proofOfTask
}
