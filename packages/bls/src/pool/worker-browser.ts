// Entry of a browser (or Web Worker) verification worker. With Vite:
//   import BlsWorker from '@wisp/bls/worker-browser?worker'
import { expose } from 'comlink'
import { createVerifierService } from './service.js'

expose(createVerifierService())
