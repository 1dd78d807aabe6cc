// Builds the edge worker bundle (apps/edge/dist/worker.js) once for the run, with the same script
// its `npm run size` runs (a few seconds; it must match the sources the devnet runs). The web app
// is built by turbo's `^build` before this package's tests, or by the devnet's web server on first
// use when apps/web/dist is missing.
import { buildEdgeWorker } from '@wisp/edge/local'

export default async function setup(): Promise<void> {
  const report = await buildEdgeWorker()
  if (!report.withinBudget || report.forbidden.length > 0) {
    throw new Error(`the edge bundle is not runnable: ${JSON.stringify(report)}`)
  }
}
