// Builds the worker bundle once for every test file, with the same script `npm run size` runs,
// and hands its JSON report to the tests (inject('bundle')).
import type { TestProject } from 'vitest/node'
import { type BundleReport, buildEdgeWorker } from '../src/local.js'

declare module 'vitest' {
  export interface ProvidedContext {
    bundle: BundleReport
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const { path: _path, ...report } = await buildEdgeWorker()
  project.provide('bundle', report)
}
