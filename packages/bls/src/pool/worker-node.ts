/// <reference types="node" />
// Entry of a Node worker_threads verification worker.
import { parentPort, workerData } from 'node:worker_threads'
import { expose } from 'comlink'
import { nodeEndpoint } from './node-endpoint.js'
import { createVerifierService } from './service.js'

if (parentPort === null) throw new Error('worker-node must run inside a worker thread')
expose(createVerifierService(undefined, workerData?.wispBlsBackend), nodeEndpoint(parentPort))
