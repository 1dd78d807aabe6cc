// Validation through an external service (POST /task/validate, docs/protocol.md §4), for AVSs whose
// logic lives outside Wisp. An error, timeout or unreadable answer is no vote, never reject.
import { abstain, approve, type BaseFetch, reject, type Verdict } from '@wisp/plugin-sdk'
import {
  buildValidationRequest,
  parseValidationAnswer,
  type TaskInfo,
  VALIDATION_SERVICE_PATHS,
} from '@wisp/protocol'

export interface ValidationServiceOptions {
  /** base URL, e.g. http://127.0.0.1:4002 */
  url: string
  timeoutMs: number
}

export async function validateWithService(
  task: TaskInfo,
  options: ValidationServiceOptions,
  fetch: BaseFetch,
): Promise<Verdict> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error('timeout')), options.timeoutMs)
  try {
    const response = await fetch(`${options.url.replace(/\/$/, '')}${VALIDATION_SERVICE_PATHS.validate}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildValidationRequest(task)),
      signal: controller.signal,
    })
    const outcome = parseValidationAnswer({ status: response.status, body: await response.text() })
    if (outcome.verdict === 'approve') return approve()
    if (outcome.verdict === 'reject') return reject(outcome.message ?? 'validation service said false')
    return abstain(`${outcome.reason}: ${outcome.message}`)
  } catch (err) {
    return abstain(
      controller.signal.aborted
        ? `TIMEOUT: no answer in ${options.timeoutMs} ms`
        : `UNREACHABLE: ${(err as Error).message}`,
    )
  } finally {
    clearTimeout(timer)
  }
}
