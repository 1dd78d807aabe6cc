/// <reference types="node" />
// Node only (`@wisp/edge/local`): build the worker bundle and run it in real workerd through
// miniflare — for tests, the e2e suite and local networks. Not part of the worker bundle.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { Miniflare } from 'miniflare'
import type { EdgeStatus } from './worker.js'

/** A date this workerd build supports; the worker needs no compatibility flags. */
export const COMPATIBILITY_DATE = '2025-09-01'
/** The Durable Object binding and class of the edge attester. */
export const EDGE_DURABLE_OBJECTS = Object.freeze({ ATTESTER: 'EdgeAttesterObject' })

const PACKAGE_ROOT = join(import.meta.dirname, '..')
export const DEFAULT_BUNDLE_PATH = join(PACKAGE_ROOT, 'dist', 'worker.js')

export interface BundleReport {
  bundle: string
  minified: boolean
  rawBytes: number
  gzipBytes: number
  gzip9Bytes: number
  brotliBytes: number
  budget: { rawBytes: number; gzipBytes: number }
  withinBudget: boolean
  forbidden: Array<{ name: string; count: number }>
  modules: number
  largestPackages: Array<{ name: string; bytes: number }>
  buildMs: number
}

/**
 * Builds dist/worker.js with scripts/build.mjs and returns its size report. The report comes
 * back even when the bundle is over budget or contains a forbidden construct (check
 * `withinBudget` and `forbidden`).
 */
export async function buildEdgeWorker(): Promise<BundleReport & { path: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--json'], {
    cwd: PACKAGE_ROOT,
  }).catch((err: { stdout?: string }) => {
    if (err.stdout?.trim().startsWith('{')) return { stdout: err.stdout }
    throw err
  })
  const report = JSON.parse(stdout) as BundleReport
  return { ...report, path: join(PACKAGE_ROOT, report.bundle) }
}

export interface WorkerdOptions {
  /** path of a bundled ES module (default: dist/worker.js, which must be built) */
  script?: string
  bindings: Record<string, string>
  /** Durable Object namespace binding → exported class (default: the edge attester's) */
  durableObjects?: Record<string, string>
  /** directory that keeps Durable Object storage across instances (a restart, not a new object) */
  persistDir?: string
  /** serve on a port too (default: only `dispatchFetch`) */
  port?: number
  host?: string
}

export interface RunningWorker {
  mf: Miniflare
  /** the URL the worker listens on (with `port`), else a placeholder for dispatchFetch */
  url: URL
  fetch(path: string, init?: RequestInit): Promise<Response>
  json<T = unknown>(path: string, init?: RequestInit): Promise<T>
  status(): Promise<EdgeStatus>
  /** the worker's console output so far (for failure messages) */
  logs(): string
  stop(): Promise<void>
}

/** Starts a worker bundle in real workerd (miniflare, `cf: false`, SQLite-backed Durable Objects). */
export async function startWorker(options: WorkerdOptions): Promise<RunningWorker> {
  let output = ''
  const script = options.script ?? DEFAULT_BUNDLE_PATH
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.js', contents: readFileSync(script, 'utf8') }],
    compatibilityDate: COMPATIBILITY_DATE,
    cf: false,
    bindings: options.bindings,
    durableObjects: Object.fromEntries(
      Object.entries(options.durableObjects ?? EDGE_DURABLE_OBJECTS).map(([binding, className]) => [
        binding,
        { className, useSQLite: true },
      ]),
    ),
    ...(options.persistDir !== undefined ? { durableObjectsPersist: options.persistDir } : {}),
    ...(options.port !== undefined ? { port: options.port, host: options.host ?? '127.0.0.1' } : {}),
    handleRuntimeStdio(stdout: Readable, stderr: Readable) {
      const keep = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.length > 200_000) output = output.slice(-100_000)
      }
      stdout.on('data', keep)
      stderr.on('data', keep)
    },
  })
  let url: URL
  try {
    url = options.port !== undefined ? await mf.ready : new URL('http://edge.local/')
    if (options.port === undefined) await mf.ready
  } catch (err) {
    await mf.dispose().catch(() => undefined)
    throw new Error(`workerd did not start: ${(err as Error).message}\n${output.slice(-4000)}`)
  }
  const fetchPath = async (path: string, init?: RequestInit) =>
    (await mf.dispatchFetch(new URL(path, url).toString(), init as never)) as unknown as Response
  const json = async <T>(path: string, init?: RequestInit) => {
    const response = await fetchPath(path, init)
    const text = await response.text()
    try {
      return JSON.parse(text) as T
    } catch {
      throw new Error(`${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 500)}`)
    }
  }
  let stopped: Promise<void> | undefined
  return {
    mf,
    url,
    fetch: fetchPath,
    json,
    status: () => json<EdgeStatus>('/status'),
    logs: () => output,
    stop() {
      stopped ??= mf.dispose()
      return stopped
    },
  }
}

/** The edge attester with the given bindings, in workerd (build it first: {@link buildEdgeWorker}). */
export function startEdgeWorker(options: Omit<WorkerdOptions, 'durableObjects'>): Promise<RunningWorker> {
  return startWorker(options)
}
