// The deployer's RPC: several URLs, in order, each with a timeout. A URL that times out, is
// refused or rate-limits (HTTP 429, JSON-RPC -32005) hands the request to the next one; when all
// fail, DEPLOY_RPC_FAILED names every URL and why. Answers (a revert, "nonce too low") are not
// failures of the URL and are returned as they are.
import { type Client, createClient, custom, type EIP1193RequestFn, http } from 'viem'
import { DeployError } from './errors.js'

export interface DeployRpcOptions {
  /** per request and URL */
  timeoutMs: number
  pollingIntervalMs: number
}

export const DEFAULT_RPC_OPTIONS: DeployRpcOptions = { timeoutMs: 10_000, pollingIntervalMs: 1000 }

/** Why a URL failed, or undefined when the error is the node's answer (not the URL's fault). */
export function transportFailure(err: unknown): string | undefined {
  const e = err as { name?: string; status?: number; code?: number; details?: string; shortMessage?: string }
  if (e.name === 'TimeoutError') return 'timed out'
  if (e.name === 'HttpRequestError') {
    if (e.status === 429) return 'HTTP 429 (rate limited)'
    if (e.status !== undefined) return `HTTP ${e.status}`
    return (e.details ?? e.shortMessage ?? 'unreachable').split('\n')[0]
  }
  if (e.code === -32005 || e.code === 429) return 'rate limited (JSON-RPC -32005)'
  return undefined
}

/** The DeployError somewhere in viem's chain of causes (our transport throws it), if any. */
export function deployErrorIn(err: unknown): DeployError | undefined {
  let current: unknown = err
  for (let depth = 0; current && depth < 12; depth++) {
    if (current instanceof DeployError) return current
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

export function createDeployClient(urls: readonly string[], options: Partial<DeployRpcOptions> = {}): Client {
  const o = { ...DEFAULT_RPC_OPTIONS, ...options }
  if (urls.length === 0) {
    throw new DeployError('DEPLOY_RPC_FAILED', 'no RPC URL given (--rpc)', { details: { urls: [] } })
  }
  const transports = urls.map((url) => http(url, { retryCount: 0, timeout: o.timeoutMs })({ retryCount: 0 }))
  // the URL that answered last goes first: a failing primary is not retried on every request
  let preferred = 0
  const request: EIP1193RequestFn = async (args) => {
    const failures: string[] = []
    for (let k = 0; k < transports.length; k++) {
      const i = (preferred + k) % transports.length
      try {
        const result = await transports[i]!.request(args as never)
        preferred = i
        return result as never
      } catch (err) {
        const why = transportFailure(err)
        if (why === undefined) throw err
        failures.push(`${urls[i]} ${why}`)
      }
    }
    throw new DeployError('DEPLOY_RPC_FAILED', `${args.method}: ${failures.join('; ')}`, {
      details: { method: args.method, urls: [...urls], failures },
    })
  }
  return createClient({
    transport: custom({ request }, { retryCount: 0 }),
    pollingInterval: o.pollingIntervalMs,
  })
}
