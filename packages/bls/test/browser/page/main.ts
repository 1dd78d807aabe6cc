/// <reference types="vite/client" />
// Test page: verifies bursts of signatures through the browser worker pool while a
// PerformanceObserver watches the main thread for long tasks (> 50 ms).
import { createBrowserVerifierPool } from '@wisp/bls/pool/browser'
import BlsWorker from '@wisp/bls/worker-browser?worker'
import { wrap } from 'comlink'
import type { VerifierService } from '../../../src/pool/service.ts'

interface LongTask {
  start: number
  duration: number
}

const longTasks: LongTask[] = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration })
}).observe({ type: 'longtask', buffered: true })

const pool = createBrowserVerifierPool({ createWorker: () => new BlsWorker(), workers: 2 })

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16)
  return out
}

type HexJob = { domain: string; digest: string; publicKey: string; signature: string }

async function runBurst(jobs: HexJob[]) {
  const startedAt = performance.now()
  const outcomes = await Promise.all(
    jobs.map((j) =>
      pool.verify({
        domain: fromHex(j.domain),
        digest: fromHex(j.digest),
        publicKey: fromHex(j.publicKey),
        signature: fromHex(j.signature),
      }),
    ),
  )
  const endedAt = performance.now()
  // let the observer deliver entries of the last frames
  await new Promise((r) => setTimeout(r, 100))
  return {
    outcomes,
    startedAt,
    endedAt,
    longTasks: longTasks.filter((t) => t.start + t.duration >= startedAt),
  }
}

/** Positive control: a deliberate 120 ms block the observer must see. */
async function blockMainThread(ms: number) {
  const startedAt = performance.now()
  // From a timer, so it is a task of the page's event loop like any real work.
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      const t0 = performance.now()
      while (performance.now() - t0 < ms) {
        // busy on purpose
      }
      resolve()
    }, 0),
  )
  await new Promise((r) => setTimeout(r, 100))
  return longTasks.filter((t) => t.start + t.duration >= startedAt)
}

/** The backend a fresh verification worker chose for itself (initBls 'auto'). */
async function workerBackend(): Promise<string> {
  const worker = new BlsWorker()
  try {
    return await wrap<VerifierService>(worker).backend()
  } finally {
    worker.terminate()
  }
}

Object.assign(window, { runBurst, blockMainThread, workerBackend })
document.getElementById('status')!.textContent = 'ready'
