// A verifier pool on browser Workers (pages and, nested, dedicated workers).
import { type Endpoint, type Remote, releaseProxy, wrap } from 'comlink'
import { type BatchExecutor, type BatchingOptions, BatchingVerifier, type BlsVerifier } from '../verifier.js'
import type { VerifierService } from './service.js'

/** The part of a DOM Worker the pool uses. */
export interface WorkerLike extends Endpoint {
  terminate(): void
}

export interface BrowserVerifierPoolOptions extends BatchingOptions {
  /**
   * Creates one worker running `@wisp/bls/worker-browser`. With Vite:
   * `import BlsWorker from '@wisp/bls/worker-browser?worker'` then `() => new BlsWorker()`.
   * A factory keeps the pool bundler-agnostic.
   */
  createWorker: () => WorkerLike
  /** default: navigator.hardwareConcurrency − 1, at least 1 */
  workers?: number
}

function startWorker(createWorker: () => WorkerLike): BatchExecutor {
  const worker = createWorker()
  const remote: Remote<VerifierService> = wrap<VerifierService>(worker)
  let failed: ((err: unknown) => void) | undefined
  const died = new Promise<never>((_, reject) => {
    failed = reject
  })
  died.catch(() => undefined)
  worker.addEventListener('error', (event: unknown) => failed?.(event))
  return {
    run: (jobs) => Promise.race([remote.verifyMany(jobs), died]),
    close: async () => {
      remote[releaseProxy]()
      worker.terminate()
    },
  }
}

export function createBrowserVerifierPool(options: BrowserVerifierPoolOptions): BlsVerifier {
  const cores =
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2
  const count = Math.max(1, options.workers ?? cores - 1)
  const executors = Array.from({ length: count }, () => startWorker(options.createWorker))
  return new BatchingVerifier(executors, options, () => startWorker(options.createWorker))
}
