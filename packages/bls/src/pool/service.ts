// What a verification worker exposes over comlink. Kept tiny: bytes in, tagged results out.
import { type BlsBackendName, type InitBlsOptions, initBls } from '../backend.js'
import { PublicKeyCache, type VerifyJob, type VerifyOutcome, verifyJobs } from '../jobs.js'

export interface VerifierService {
  verifyMany(jobs: VerifyJob[]): Promise<VerifyOutcome[]>
  /** the backend this worker verifies with, once chosen */
  backend(): Promise<BlsBackendName>
  ping(): 'pong'
}

/**
 * Selects this worker's backend (WebAssembly where it loads, else noble with a warning) and answers
 * jobs once that is done. The worker exposes the service at once so no early message is lost.
 */
export function createVerifierService(
  publicKeyCacheSize?: number,
  backend: InitBlsOptions['backend'] = 'auto',
): VerifierService {
  const cache = new PublicKeyCache(publicKeyCacheSize)
  const ready = initBls({ backend })
  return {
    verifyMany: async (jobs) => {
      await ready
      return verifyJobs(jobs, cache)
    },
    backend: () => ready,
    ping: () => 'pong',
  }
}
