export interface PartSize {
  files: string[]
  rawBytes: number
  gzipBytes: number
  brotliBytes: number
}
export type Part =
  | 'initialJs'
  | 'initialCss'
  | 'pageModeEngine'
  | 'workerModePage'
  | 'engineWorker'
  | 'signerWorker'
  | 'pluginWorker'
  | 'blsWorker'
  | 'blsWasm'
  | 'allJs'
export function measureWebBuild(dir: string): Record<Part, PartSize>
