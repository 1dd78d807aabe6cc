// Validation through an external service (POST /task/validate, docs/protocol.md §4), for AVSs whose
// logic lives outside Wisp. An error, timeout or unreadable answer is no vote, never reject.
import { abstain, approve, type BaseFetch, reject, type Verdict } from '@wisp/plugin-sdk'
import {
  buildValidationRequest,
  type NoVoteReason,
  parseValidationAnswer,
  type TaskInfo,
  VALIDATION_SERVICE_PATHS,
} from '@wisp/protocol'
import { type Logger, silentLogger } from './ports.js'

export interface ValidationServiceOptions {
  /** base URL, e.g. http://127.0.0.1:4002 */
  url: string
  timeoutMs: number
  /**
   * Tasks in a row without a verdict (unreachable, timeout, error answers) before the service is
   * reported as not answering — once, until it gives a verdict again (default 3).
   */
  warnAfterFailures?: number
}

/** Why the service gave no verdict: what an operator needs to fix it. */
export interface ServiceFailure {
  code: NoVoteReason
  /** the endpoint asked */
  url: string
  /** the HTTP status, when there was an answer */
  status?: number
  /** one line naming the endpoint and what went wrong */
  message: string
}

export interface ServiceAnswer {
  verdict: Verdict
  /** present exactly when the verdict is abstain */
  failure?: ServiceFailure
}

export const DEFAULT_WARN_AFTER_FAILURES = 3

function endpointOf(options: ValidationServiceOptions): string {
  return `${options.url.replace(/\/$/, '')}${VALIDATION_SERVICE_PATHS.validate}`
}

/** undici's "fetch failed" hides the cause (ECONNREFUSED, ENOTFOUND, …): name it. */
function describeFetchError(err: unknown): string {
  const error = err as Error & { cause?: { code?: string; message?: string } }
  const cause = error.cause?.message ?? error.cause?.code
  return cause !== undefined && cause !== error.message ? `${error.message}: ${cause}` : error.message
}

/** Asks the service once; the verdict, and when it is abstain, why. */
export async function askValidationService(
  task: TaskInfo,
  options: ValidationServiceOptions,
  fetch: BaseFetch,
): Promise<ServiceAnswer> {
  const url = endpointOf(options)
  const failed = (code: NoVoteReason, message: string, status?: number): ServiceAnswer => ({
    verdict: abstain(`${code}: ${message}`),
    failure: { code, url, message, ...(status !== undefined ? { status } : {}) },
  })
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new Error('timeout')), options.timeoutMs)
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildValidationRequest(task)),
      signal: controller.signal,
    })
    const { status } = response
    const outcome = parseValidationAnswer({ status, body: await response.text() })
    if (outcome.verdict === 'approve') return { verdict: approve() }
    if (outcome.verdict === 'reject')
      return { verdict: reject(outcome.message ?? 'validation service said false') }
    // the parser's fallback message only repeats the status
    const said =
      outcome.message === `validation service answered HTTP ${status}` ? '' : `: ${outcome.message}`
    return failed(outcome.reason, `${url} answered HTTP ${status}${said}`, status)
  } catch (err) {
    return controller.signal.aborted
      ? failed('TIMEOUT', `no answer from ${url} in ${options.timeoutMs} ms`)
      : failed('UNREACHABLE', `POST ${url} failed: ${describeFetchError(err)}`)
  } finally {
    clearTimeout(timer)
  }
}

export async function validateWithService(
  task: TaskInfo,
  options: ValidationServiceOptions,
  fetch: BaseFetch,
): Promise<Verdict> {
  return (await askValidationService(task, options, fetch)).verdict
}

/**
 * The service as an attester uses it: every call, plus its health. After `warnAfterFailures`
 * tasks in a row without a verdict one warning says the service is not answering (and that every
 * task is abstained meanwhile); the first verdict after that is an info. Per-task lines are the
 * attester's.
 */
export class ValidationServiceClient {
  readonly #options: ValidationServiceOptions
  readonly #fetch: BaseFetch
  readonly #logger: Logger
  #failures = 0

  constructor(options: ValidationServiceOptions, components: { fetch: BaseFetch; logger?: Logger }) {
    this.#options = options
    this.#fetch = components.fetch
    this.#logger = components.logger ?? silentLogger
  }

  get url(): string {
    return endpointOf(this.#options)
  }

  /** tasks in a row the service gave no verdict for */
  get consecutiveFailures(): number {
    return this.#failures
  }

  async validate(task: TaskInfo): Promise<ServiceAnswer> {
    const answer = await askValidationService(task, this.#options, this.#fetch)
    const threshold = this.#options.warnAfterFailures ?? DEFAULT_WARN_AFTER_FAILURES
    if (answer.failure === undefined) {
      if (this.#failures >= threshold) {
        this.#logger.info(`validation service ${this.url} gives verdicts again`, {
          tasksWithoutVerdict: this.#failures,
        })
      }
      this.#failures = 0
      return answer
    }
    this.#failures++
    if (this.#failures === threshold) {
      this.#logger.warn(
        `validation service ${this.url} gave no verdict for ${threshold} tasks in a row: every task is abstained until it answers`,
        {
          cause: answer.failure.code,
          last: answer.failure.message,
          ...(answer.failure.status !== undefined ? { status: answer.failure.status } : {}),
        },
      )
    }
    return answer
  }
}
