// What a verification worker exposes over comlink. Kept tiny: bytes in, tagged results out.
import { PublicKeyCache, type VerifyJob, type VerifyOutcome, verifyJobs } from '../jobs.js'

export interface VerifierService {
  verifyMany(jobs: VerifyJob[]): VerifyOutcome[]
  ping(): 'pong'
}

export function createVerifierService(publicKeyCacheSize?: number): VerifierService {
  const cache = new PublicKeyCache(publicKeyCacheSize)
  return {
    verifyMany: (jobs) => verifyJobs(jobs, cache),
    ping: () => 'pong',
  }
}
