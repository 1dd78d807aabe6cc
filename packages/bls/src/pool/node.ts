/// <reference types="node" />
// A verifier pool on Node worker_threads.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { type Remote, releaseProxy, wrap } from 'comlink'
import type { InitBlsOptions } from '../backend.js'
import { type BatchExecutor, type BatchingOptions, BatchingVerifier, type BlsVerifier } from '../verifier.js'
import { nodeEndpoint } from './node-endpoint.js'
import type { VerifierService } from './service.js'

export interface NodeVerifierPoolOptions extends BatchingOptions {
  /** default: available cores − 1 (the main thread keeps one), at least 1 */
  workers?: number
  /** each worker's BLS backend (initBls): default 'auto', WebAssembly where it loads */
  backend?: InitBlsOptions['backend']
}

// When running from TypeScript sources (tests, dev) the worker is a .ts file and needs a loader.
const fromSource = import.meta.url.endsWith('.ts')
const workerEntry = new URL(fromSource ? './worker-node.ts' : './worker-node.js', import.meta.url)
const workerUrl = fromSource ? new URL('./dev-bootstrap.mjs', import.meta.url) : workerEntry
const workerExecArgv = fromSource ? ['--conditions=@wisp/source'] : []

function startWorker(backend: InitBlsOptions['backend']): BatchExecutor {
  const worker = new Worker(workerUrl, {
    execArgv: workerExecArgv,
    workerData: { wispWorkerEntry: workerEntry.href, wispBlsBackend: backend },
  })
  const remote: Remote<VerifierService> = wrap<VerifierService>(nodeEndpoint(worker))
  // A worker that dies answers nothing: fail its batch instead of hanging it.
  let failed: ((err: Error) => void) | undefined
  const died = new Promise<never>((_, reject) => {
    failed = reject
  })
  died.catch(() => undefined)
  worker.once('error', (err) => failed?.(err))
  worker.once('exit', (code) => failed?.(new Error(`verification worker exited with code ${code}`)))
  return {
    run: (jobs) => Promise.race([remote.verifyMany(jobs), died]),
    close: async () => {
      remote[releaseProxy]()
      await worker.terminate()
    },
  }
}

export function createNodeVerifierPool(options: NodeVerifierPoolOptions = {}): BlsVerifier {
  const count = Math.max(1, options.workers ?? availableParallelism() - 1)
  const executors = Array.from({ length: count }, () => startWorker(options.backend))
  return new BatchingVerifier(executors, options, () => startWorker(options.backend))
}
