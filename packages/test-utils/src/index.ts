export { calibrateBusyTask, runBusyTask } from './busy.js'
export { CHROMIUM_ARGS, launchChromium } from './chromium.js'
export { freePort } from './ports.js'
export {
  analyseTrace,
  type MainThreadReport,
  type MainThreadTask,
  startTrace,
  type Trace,
  type TraceMark,
  watchMainThreads,
} from './trace.js'
export { type WaitOptions, waitFor, withTimeout } from './wait.js'
