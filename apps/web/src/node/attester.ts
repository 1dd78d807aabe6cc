// The browser attester, the same in a page and in a dedicated worker: chain (viem), network
// (libp2p: the runtime hands in its peer factory), BLS verification (a worker pool or inline),
// signing (the signer worker), plugins (the plugin worker), the engine with the attester role, and
// the status the dashboard shows.
import type { BlsVerifier } from '@wisp/bls'
import {
  createChainDirectory,
  createChainPort,
  getOperatorPaymentDetail,
  type TaskOutcomeEvent,
  watchTaskEvents,
} from '@wisp/chain'
import { createEngine, type Engine, type Logger as EngineLogger, taskInfoOf } from '@wisp/core'
import {
  createMemoryMetrics,
  type Logger as NetLogger,
  type NetworkComponents,
  type PartialNetworkOptions,
  type WispNetwork,
} from '@wisp/p2p'
import type { TaskInput, Verdict } from '@wisp/plugin-sdk'
import { taskHash } from '@wisp/protocol'
import { History, type KeyValueStore } from '@wisp/storage'
import { IdbStore } from '@wisp/storage/idb'
import type { Remote } from 'comlink'
import { createPublicClient, http } from 'viem'
import type { WispWebConfig } from '../config.js'
import { PluginHost, type WorkerLike } from '../plugins/host.js'
import { workerAuthSigner, workerBlsSigner } from '../signer/client.js'
import type { KeyProfile, SigningService } from '../signer/protocol.js'
import { emptyStatus, type Hex, type HistoryRow, type PeerView, StatusTracker } from './status.js'

export interface NetworkFactoryOptions {
  base: PartialNetworkOptions
  allowLocalNetworks: boolean
  iceServers: NonNullable<WispWebConfig['p2p']['iceServers']>
  /** undefined: the browser peer's default */
  maxDirectPeers: number | undefined
}

export interface AttesterNodeParams {
  mode: 'page' | 'worker'
  config: WispWebConfig
  profile: KeyProfile
  signer: Remote<SigningService>
  storeName: string
  createNetwork(options: NetworkFactoryOptions, components: NetworkComponents): Promise<WispNetwork>
  createVerifier(): BlsVerifier
  createPluginWorker(): WorkerLike
}

export interface DialResult {
  ok: boolean
  ms: number
  remoteAddr?: string
  error?: string
}

const PLUGIN_GRACE_MS = 1000

/** Performance marks of the start-up phases (visible in DevTools and to tests). */
function mark(name: string): void {
  globalThis.performance?.mark?.(`wisp:${name}`)
}

/** Lets the event loop run (input, rendering) between start-up phases on a page. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

function relayIdOf(multiaddr: string): string | undefined {
  return /\/p2p\/([^/]+)$/.exec(multiaddr)?.[1]
}

/** The address reaching `peerId` over WebRTC, signalled through a relay it holds a reservation on. */
export function webRTCAddressVia(relayAddress: string, peerId: string): string {
  return `${relayAddress}/p2p-circuit/webrtc/p2p/${peerId}`
}

export class AttesterNode {
  readonly tracker: StatusTracker
  readonly #p: AttesterNodeParams
  #network: WispNetwork | undefined
  #engine: Engine | undefined
  #verifier: BlsVerifier | undefined
  #store: IdbStore | undefined
  #plugins: PluginHost | undefined
  #history: History | undefined
  #cleanups: Array<() => void> = []
  #timers: Array<ReturnType<typeof setInterval>> = []
  #taskKeys = new Map<string, Hex>()
  #relayIds: Set<string>
  #stopped = false
  #tick = 0

  constructor(params: AttesterNodeParams) {
    this.#p = params
    this.#relayIds = new Set(
      params.config.p2p.relays.map(relayIdOf).filter((x): x is string => x !== undefined),
    )
    this.tracker = new StatusTracker(
      emptyStatus({
        mode: params.mode,
        address: params.profile.address,
        chainId: params.config.chain.chainId,
        attestationCenter: params.config.chain.attestationCenter,
      }),
    )
  }

  get network(): WispNetwork | undefined {
    return this.#network
  }

  get engine(): Engine | undefined {
    return this.#engine
  }

  get plugins(): PluginHost | undefined {
    return this.#plugins
  }

  #logger(component: string): NetLogger & EngineLogger {
    const tracker = this.tracker
    const make = (name: string): NetLogger & EngineLogger => ({
      debug() {},
      info() {},
      warn(message, fields) {
        console.warn(`[${name}] ${message}`, fields ?? '')
        tracker.log('warn', `${name}: ${message}`)
      },
      error(message, fields) {
        console.error(`[${name}] ${message}`, fields ?? '')
        tracker.log('error', `${name}: ${message}${fields?.error ? ` (${String(fields.error)})` : ''}`)
      },
      child: (sub) => make(`${name}/${sub}`),
    })
    return make(component)
  }

  async start(): Promise<void> {
    try {
      await this.#start()
    } catch (err) {
      this.tracker.update((s) => {
        s.phase = 'error'
        s.message = (err as Error).message
      })
      await this.stop({ keepPhase: true })
      throw err
    }
  }

  async #start(): Promise<void> {
    const { config, profile, signer } = this.#p
    const pollingInterval = config.chain.pollingIntervalMs ?? 2000
    const publicClient = createPublicClient({
      transport: http(config.chain.rpcUrl, { retryCount: 1, timeout: 10_000 }),
      pollingInterval,
    })
    mark('chain')
    const chain = await createChainPort(
      { attestationCenter: config.chain.attestationCenter, chainId: config.chain.chainId },
      { publicClient },
    )
    this.tracker.update((s) => {
      s.chain.rpcOk = true
    })
    const directory = createChainDirectory({ attestationCenter: chain.attestationCenter }, { publicClient })
    const me = await directory.getOperatorByAddress(profile.address)
    if (me === undefined) throw new Error(`${profile.address} is not a registered operator of this network`)
    this.tracker.update((s) => {
      s.operator.operatorId = me.id
      s.operator.active = me.active
      s.operator.votingPower = me.votingPower.toString()
    })

    const validateTimeoutMs = config.attester?.validateTimeoutMs ?? 10_000
    await nextTask()
    mark('plugins')
    this.#store = await IdbStore.open({ name: this.#p.storeName })
    const store: KeyValueStore = this.#store
    this.#history = new History(store)
    this.#plugins = new PluginHost(() => this.#p.createPluginWorker(), {
      validateTimeoutMs,
      graceMs: PLUGIN_GRACE_MS,
    })
    this.#plugins.onRestart = (reason) => this.tracker.log('warn', `plugin worker restarted: ${reason}`)
    await this.#plugins.start(config.plugins, {
      chainId: config.chain.chainId,
      rpcUrl: config.chain.rpcUrl,
      storeName: this.#p.storeName,
    })
    const host = this.#plugins
    this.tracker.update((s) => {
      s.plugins = host.loaded.map((p) => ({
        id: p.manifest.id,
        version: p.manifest.version,
        taskDefinitionIds: p.taskDefinitionIds,
        source: p.source,
        ...(p.url ? { url: p.url } : {}),
        ...(p.sha256 ? { sha256: p.sha256 } : {}),
      }))
      s.pluginFailures = host.failed.map((f) => ({
        what: f.what,
        code: f.error.code,
        message: f.error.message,
      }))
    })
    for (const p of host.loaded) {
      if (p.hasElectLeader) {
        this.tracker.log(
          'warn',
          `${p.manifest.id} has its own leader election; the web attester uses round robin`,
        )
      }
    }

    await nextTask()
    mark('network')
    this.#verifier = this.#p.createVerifier()
    const allowLocalNetworks = config.p2p.allowLocalNetworks ?? config.network.kind === 'local'
    this.#network = await this.#p.createNetwork(
      {
        base: {
          bootstrap: config.p2p.relays,
          ...(config.p2p.topicNamespace ? { topicNamespace: config.p2p.topicNamespace } : {}),
          deployments: [{ chainId: chain.chainId, attestationCenter: chain.attestationCenter }],
          auth: { enabled: config.p2p.auth ?? false },
        },
        allowLocalNetworks,
        iceServers: config.p2p.iceServers ?? [],
        maxDirectPeers: config.p2p.maxDirectPeers,
      },
      {
        verifier: this.#verifier,
        directory,
        definitions: directory,
        signer: workerAuthSigner(signer, { operatorId: me.id, address: profile.address }),
        metrics: createMemoryMetrics(),
        logger: this.#logger('p2p'),
      },
    )
    const network = this.#network
    this.tracker.update((s) => {
      s.p2p.peerId = network.peerId
    })

    await nextTask()
    mark('engine')
    const electionWindowBlocks = BigInt(config.attester?.electionWindowBlocks ?? 16)
    const interval = BigInt(config.attester?.roundRobinInterval ?? 1)
    this.#engine = createEngine(
      {
        runtime: this.#p.mode === 'page' ? 'browser' : 'worker',
        operatorAddress: profile.address,
        attester: { electionWindowBlocks },
        roundRobin: { interval },
        ...(config.attester?.performerIds ? { performerIds: config.attester.performerIds } : {}),
        // the plugin host enforces the real deadline; this one only bounds a queue that is too long
        plugins: { validateTimeoutMs: 2 * validateTimeoutMs + PLUGIN_GRACE_MS },
      },
      {
        gossip: network,
        chain,
        store,
        verifier: this.#verifier,
        blsSigner: workerBlsSigner(signer, profile),
        plugins: host.registrations(),
        logger: this.#logger('engine'),
      },
    )
    this.#wireEvents(this.#engine, network)
    await this.#engine.start()

    this.#cleanups.push(
      watchTaskEvents(publicClient, {
        attestationCenter: chain.attestationCenter,
        pollingIntervalMs: pollingInterval,
        onEvents: (events) => void this.#onChainEvents(events),
        onError: (err) => this.tracker.log('warn', `watching task events: ${err.message}`),
      }),
    )

    const refreshChain = async () => {
      try {
        const block = await chain.getBlockNumber()
        this.tracker.update((s) => {
          s.chain.blockNumber = block.toString()
          s.chain.rpcOk = true
        })
        if (this.#tick++ % 5 !== 0) return
        const [op, total, payment] = await Promise.all([
          directory.refresh().then(() => directory.getOperatorByAddress(profile.address)),
          chain.getNetworkTotal(),
          getOperatorPaymentDetail(publicClient, {
            attestationCenter: chain.attestationCenter,
            operatorId: me.id,
          }),
        ])
        this.tracker.update((s) => {
          if (op !== undefined) {
            s.operator.active = op.active
            s.operator.votingPower = op.votingPower.toString()
          }
          s.operator.networkTotal = total.toString()
          s.operator.rewards = payment.feeToClaim.toString()
        })
      } catch (err) {
        this.tracker.update((s) => {
          s.chain.rpcOk = false
        })
        this.tracker.log('warn', `chain: ${(err as Error).message.split('\n')[0]}`)
      }
    }
    const refreshNet = () => {
      this.#refreshPeers()
      this.tracker.update((s) => {
        s.pluginStats = { validations: host.stats.validations, restarts: host.stats.restarts }
      })
    }
    const onConnection = () => this.#refreshPeers()
    network.libp2p.addEventListener('connection:open', onConnection)
    network.libp2p.addEventListener('connection:close', onConnection)
    network.libp2p.addEventListener('self:peer:update', onConnection)
    this.#cleanups.push(() => {
      network.libp2p.removeEventListener('connection:open', onConnection)
      network.libp2p.removeEventListener('connection:close', onConnection)
      network.libp2p.removeEventListener('self:peer:update', onConnection)
    })
    this.#timers.push(setInterval(() => void refreshChain(), pollingInterval))
    this.#timers.push(setInterval(refreshNet, 1000))
    this.#timers.push(setInterval(() => void this.#refreshHistory(), 10_000))
    await refreshChain()
    refreshNet()
    await this.#refreshHistory()
    await nextTask()
    mark('running')
    this.tracker.update((s) => {
      s.phase = 'running'
      s.startedAt = Date.now()
      delete s.message
    })
  }

  #refreshPeers(): void {
    const network = this.#network
    if (network === undefined) return
    const peers: PeerView[] = network.connections().map((c) => ({
      peerId: c.peerId,
      kind: this.#relayIds.has(c.peerId) ? 'relay' : c.remoteAddr.includes('/webrtc') ? 'webrtc' : 'other',
      remoteAddr: c.remoteAddr,
      direction: c.direction,
      limited: c.limited,
    }))
    const webrtcAddress = network.getMultiaddrs().find((a) => a.includes('/p2p-circuit/webrtc'))
    const mesh = new Set([...network.meshPeers('task'), ...network.meshPeers('attestation')])
    this.tracker.update((s) => {
      s.p2p.peers = peers
      s.p2p.relayConnected = peers.some((p) => p.kind === 'relay')
      s.p2p.meshPeers = mesh.size
      if (webrtcAddress !== undefined) s.p2p.webrtcAddress = webrtcAddress
    })
  }

  #wireEvents(engine: Engine, network: WispNetwork): void {
    const t = this.tracker
    this.#cleanups.push(
      network.onMessage('task', (received) => {
        const info = taskInfoOf(received.message)
        const hash = taskHash(info)
        if (t.task(hash) !== undefined) return
        this.#taskKeys.set(`${info.taskDefinitionId}|${info.proofOfTask}|${info.data.toLowerCase()}`, hash)
        t.addTask({
          taskHash: hash,
          definitionId: info.taskDefinitionId,
          performer: info.taskPerformer,
          proofOfTask: info.proofOfTask,
          receivedAt: Date.now(),
        })
      }),
      network.onMessage('taskSubmitted', (received) => {
        const m = received.message
        const hash = m.taskId.toLowerCase() as Hex
        if (!/^0x[0-9a-f]{64}$/.test(hash)) return
        this.#setOutcome(hash, {
          txHash: m.txHash,
          isApproved: m.isApproved,
          attesterIds: m.operatorIds,
          confirmed: false,
        })
      }),
      engine.events.on('task:ignored', (e) => {
        if (e.taskHash === undefined || e.reason === 'duplicate task') return
        t.update((s) => {
          const view = t.task(e.taskHash!)
          if (view !== undefined) view.ignored = e.reason
          s.counts.ignored++
        })
      }),
      engine.events.on('vote:decided', (e) => {
        t.recordVerdict(
          e.taskHash,
          e.verdict.kind,
          e.latencyMs,
          e.verdict.kind === 'approve' ? undefined : e.verdict.reason,
        )
      }),
      engine.events.on('vote:published', (e) => {
        t.update((s) => {
          const view = t.task(e.taskHash)
          if (view !== undefined)
            view.vote = { isApproved: e.isApproved, recipients: e.recipients, at: Date.now() }
          s.counts.published++
        })
      }),
      engine.events.on('vote:refused', (e) => {
        t.update((s) => {
          const view = t.task(e.taskHash)
          if (view !== undefined) view.refused = e.reason
          s.counts.refused++
        })
        t.log('warn', `vote refused: ${e.reason}`)
      }),
    )
  }

  #setOutcome(
    hash: Hex,
    o: { txHash: Hex; isApproved: boolean; attesterIds: number[]; confirmed: boolean; blockNumber?: bigint },
  ): void {
    const t = this.tracker
    const myId = t.status.operator.operatorId
    const included = myId !== undefined && o.attesterIds.includes(myId)
    const view = t.task(hash)
    const first = view?.outcome === undefined
    t.update((s) => {
      if (view !== undefined) {
        view.outcome = {
          txHash: o.txHash,
          isApproved: o.isApproved,
          included,
          confirmed: o.confirmed || (view.outcome?.confirmed ?? false),
          attesterIds: o.attesterIds,
          ...(o.blockNumber !== undefined ? { blockNumber: o.blockNumber.toString() } : {}),
        }
      }
      if (first) {
        s.counts.outcomes++
        if (included) s.counts.included++
      }
    })
    if (first) {
      void this.#history
        ?.setOutcome({
          taskHash: hash,
          status: o.isApproved ? 'submitted' : 'rejected',
          txHash: o.txHash,
          attesterIds: o.attesterIds,
          at: Date.now(),
        })
        .then(() => this.#refreshHistory())
        .catch(() => undefined)
    }
  }

  async #onChainEvents(events: TaskOutcomeEvent[]): Promise<void> {
    for (const e of events) {
      const hash = this.#taskKeys.get(`${e.taskDefinitionId}|${e.proofOfTask}|${e.data.toLowerCase()}`)
      if (hash === undefined) continue
      this.#setOutcome(hash, {
        txHash: e.transactionHash,
        isApproved: e.isApproved,
        attesterIds: e.attesterIds,
        confirmed: true,
        blockNumber: e.blockNumber,
      })
    }
  }

  async #refreshHistory(): Promise<void> {
    const history = this.#history
    if (history === undefined || this.#stopped) return
    try {
      const [attestations, outcomes] = await Promise.all([
        history.recentAttestations(50),
        history.recentOutcomes(200),
      ])
      const myId = this.tracker.status.operator.operatorId
      const byHash = new Map(outcomes.map((o) => [o.taskHash, o]))
      const rows: HistoryRow[] = attestations.map((a) => {
        const o = byHash.get(a.taskHash)
        return {
          taskHash: a.taskHash,
          definitionId: a.taskDefinitionId,
          verdict: a.verdict,
          ...(a.reason ? { reason: a.reason } : {}),
          at: a.at,
          ...(o
            ? {
                outcome: {
                  status: o.status,
                  ...(o.txHash ? { txHash: o.txHash } : {}),
                  ...(myId !== undefined && o.attesterIds ? { included: o.attesterIds.includes(myId) } : {}),
                },
              }
            : {}),
        }
      })
      this.tracker.update((s) => {
        s.history = rows
      })
    } catch (err) {
      this.tracker.log('warn', `history: ${(err as Error).message}`)
    }
  }

  /** Dials another browser directly over WebRTC, signalled through the first relay. Page mode only. */
  async dial(peerId: string): Promise<DialResult> {
    const started = performance.now()
    const network = this.#network
    const relay = this.#p.config.p2p.relays[0]
    if (network === undefined || relay === undefined) return { ok: false, ms: 0, error: 'not running' }
    if (this.#p.mode !== 'page') return { ok: false, ms: 0, error: 'WebRTC is only available on a page' }
    try {
      const info = await network.dial(webRTCAddressVia(relay, peerId), {
        signal: AbortSignal.timeout(20_000),
      })
      this.#refreshPeers()
      return { ok: true, ms: performance.now() - started, remoteAddr: info.remoteAddr }
    } catch (err) {
      return { ok: false, ms: performance.now() - started, error: (err as Error).message }
    }
  }

  /** Validates tasks through the plugin worker, as the engine would (tests, diagnostics). */
  async validateMany(tasks: TaskInput[]): Promise<Verdict[]> {
    const host = this.#plugins
    if (host === undefined) throw new Error('not running')
    return Promise.all(tasks.map((task) => host.validate(task)))
  }

  async stop(options: { keepPhase?: boolean } = {}): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    for (const t of this.#timers.splice(0)) clearInterval(t)
    for (const off of this.#cleanups.splice(0)) off()
    await this.#engine?.stop().catch(() => undefined)
    await this.#network?.stop().catch(() => undefined)
    this.#plugins?.close()
    await this.#verifier?.close().catch(() => undefined)
    await this.#store?.close().catch(() => undefined)
    if (!options.keepPhase) {
      this.tracker.update((s) => {
        s.phase = 'stopped'
      })
    }
  }
}
