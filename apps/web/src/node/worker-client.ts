// The page's side of worker mode: starts the engine worker, hands it a port onto the signer
// worker (the key never passes through the page), relays its status.
import { proxy, type Remote, releaseProxy, transfer, wrap } from 'comlink'
import type { WispWebConfig } from '../config.js'
import { signerPort } from '../signer/client.js'
import type { KeyProfile, SignerService } from '../signer/protocol.js'
import type { EngineWorkerService } from './engine-worker.js'
import EngineWorker from './engine-worker.ts?worker'
import type { NodeHandle } from './handle.js'
import type { NodeStatus } from './status.js'

export async function startWorkerNode(params: {
  config: WispWebConfig
  profile: KeyProfile
  signer: Remote<SignerService>
  onStatus?: (status: NodeStatus) => void
}): Promise<{ handle: NodeHandle; started: Promise<void> }> {
  const worker = new EngineWorker()
  const remote = wrap<EngineWorkerService>(worker)
  const port = await signerPort(params.signer)
  const listeners = new Set<(status: NodeStatus) => void>()
  let latest: NodeStatus | undefined
  if (params.onStatus) listeners.add(params.onStatus)
  let stopped = false
  const handle: NodeHandle = {
    mode: 'worker',
    get status() {
      return latest
    },
    subscribe(listener) {
      listeners.add(listener)
      if (latest) listener(latest)
      return () => listeners.delete(listener)
    },
    dial: (peerId) => remote.dial(peerId),
    validateMany: (tasks) => remote.validateMany(tasks),
    async stop() {
      if (stopped) return
      stopped = true
      await remote.stop().catch(() => undefined)
      remote[releaseProxy]()
      worker.terminate()
    },
  }
  const started = (async () => {
    const startResult = remote.start(
      transfer({ config: params.config, profile: params.profile, signerPort: port }, [port]),
    )
    // subscribe right away so the dashboard sees the start-up phases
    await remote.subscribe(
      proxy((status: NodeStatus) => {
        latest = status
        for (const l of listeners) l(status)
      }),
    )
    const result = await startResult
    if (!result.ok) throw new Error(result.error.message)
  })()
  started.catch(() => undefined)
  return { handle, started }
}
