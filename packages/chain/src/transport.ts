// Several RPC URLs behind one viem transport: a request that fails on one (a 429, a timeout, a
// refused connection) goes to the next (viem's `fallback`). One URL is a plain `http` transport.
import { fallback, http, type Transport } from 'viem'
import { ChainError } from './errors.js'

export interface ChainTransportOptions {
  /**
   * With one URL: retries of a failed request on it. With several: rounds over all the URLs
   * (each URL is then tried once per round, so a rate-limited one hands over at once).
   */
  retryCount?: number
  /** per request, per URL */
  timeoutMs?: number
}

export const DEFAULT_CHAIN_TRANSPORT_OPTIONS: Required<ChainTransportOptions> = {
  retryCount: 2,
  timeoutMs: 10_000,
}

export function createChainTransport(
  rpcUrls: readonly string[],
  options: ChainTransportOptions = {},
): Transport {
  const { retryCount, timeoutMs } = { ...DEFAULT_CHAIN_TRANSPORT_OPTIONS, ...options }
  if (!Array.isArray(rpcUrls) || rpcUrls.length === 0) {
    throw new ChainError('CHAIN_INVALID_INPUT', 'rpcUrls must name at least one RPC URL')
  }
  rpcUrls.forEach((url, i) => {
    let ok = false
    try {
      const u = new URL(url)
      ok = u.protocol === 'http:' || u.protocol === 'https:'
    } catch {
      ok = false
    }
    if (!ok) {
      throw new ChainError('CHAIN_INVALID_INPUT', `rpcUrls[${i}] is not an http(s) URL: ${String(url)}`, {
        details: { index: i },
      })
    }
  })
  if (!Number.isInteger(retryCount) || retryCount < 0) {
    throw new ChainError(
      'CHAIN_INVALID_INPUT',
      `retryCount must be a non-negative integer, not ${retryCount}`,
    )
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new ChainError('CHAIN_INVALID_INPUT', `timeoutMs must be a positive number, not ${timeoutMs}`)
  }
  if (rpcUrls.length === 1) return http(rpcUrls[0], { retryCount, timeout: timeoutMs })
  return fallback(
    rpcUrls.map((url) => http(url, { retryCount: 0, timeout: timeoutMs })),
    { retryCount },
  )
}
