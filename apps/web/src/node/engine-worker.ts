// Worker mode: the whole engine in a dedicated Web Worker, so the page only draws. libp2p dials
// relays over WebSocket (RTCPeerConnection does not exist in workers: no direct WebRTC), storage is
// idb, BLS verification runs in a nested worker, signing stays in the signer worker (reached
// through a MessagePort the page hands over), plugins run in a nested plugin worker.
import { createBrowserVerifierPool } from '@wisp/bls/pool/browser'
import BlsWorker from '@wisp/bls/worker-browser?worker'
import { createEdgePeer } from '@wisp/p2p/edge'
import type { TaskInput, Verdict } from '@wisp/plugin-sdk'
import { toErrorInfo } from '@wisp/protocol'
import { expose, type Remote, wrap } from 'comlink'
import type { WispWebConfig } from '../config.js'
import PluginWorker from '../plugins/plugin-worker.ts?worker'
import { APP_DB, type KeyProfile, type Result, type SigningService } from '../signer/protocol.js'
import { AttesterNode, type DialResult } from './attester.js'
import type { NodeStatus } from './status.js'

export interface EngineWorkerService {
  start(params: {
    config: WispWebConfig
    profile: KeyProfile
    signerPort: MessagePort
  }): Promise<Result<void>>
  subscribe(listener: (status: NodeStatus) => void): void
  dial(peerId: string): Promise<DialResult>
  validateMany(tasks: TaskInput[]): Promise<Verdict[]>
  stop(): Promise<void>
}

let node: AttesterNode | undefined
let signer: Remote<SigningService> | undefined

const service: EngineWorkerService = {
  async start({ config, profile, signerPort }) {
    if (node !== undefined)
      return { ok: false, error: { name: 'Error', code: 'WEB_ALREADY_STARTED', message: 'already started' } }
    signer = wrap<SigningService>(signerPort)
    node = new AttesterNode({
      mode: 'worker',
      config,
      profile,
      signer,
      storeName: APP_DB,
      createNetwork: (o, components) =>
        createEdgePeer(
          { ...o.base, ...(o.relayTarget === undefined ? {} : { relayTarget: o.relayTarget }) },
          { ...components, peerStore: o.peerStore },
        ),
      createVerifier: () => createBrowserVerifierPool({ createWorker: () => new BlsWorker(), workers: 1 }),
      createPluginWorker: () => new PluginWorker(),
    })
    try {
      await node.start()
      return { ok: true, value: undefined }
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) }
    }
  },
  subscribe(listener) {
    node?.tracker.subscribe((s) => void Promise.resolve(listener(s)).catch(() => undefined))
  },
  dial: async (peerId) => (node ? node.dial(peerId) : { ok: false, ms: 0, error: 'not running' }),
  validateMany: async (tasks) => {
    if (node === undefined) throw new Error('not running')
    return node.validateMany(tasks)
  },
  async stop() {
    await node?.stop()
  },
}

expose(service)
