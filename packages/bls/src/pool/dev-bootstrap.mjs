// Development only: lets a worker thread run this package's TypeScript sources (tests, benches)
// by registering tsx's loader inside the worker before importing the real entry. Published
// builds start dist/pool/worker-node.js directly and never load this file.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.wispWorkerEntry)
