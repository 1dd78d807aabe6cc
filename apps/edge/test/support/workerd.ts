// The tests run workers through the package's own Node-side launcher (`@wisp/edge/local`).
export { COMPATIBILITY_DATE, type RunningWorker, startWorker, type WorkerdOptions } from '../../src/local.js'
