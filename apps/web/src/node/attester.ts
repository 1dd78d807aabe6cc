// The browser runtime of an operator, the same in a page and in a dedicated worker: its factories
// for @wisp/operator's createOperator — libp2p (the mode hands in its peer factory), BLS
// verification (a worker pool), signing (the signer worker: the key never leaves it), plugins (the
// plugin worker), idb — plus what only a browser does: dial another browser, validate in bulk.
import type { BlsVerifier } from '@wisp/bls'
import type { Logger } from '@wisp/interface'
import {
  createOperator,
  emptyStatus,
  type LoadedPlugins,
  OPERATOR_DEFAULTS,
  type Operator,
} from '@wisp/operator'
import type { NetworkComponents, PartialNetworkOptions, WispNetwork } from '@wisp/p2p'
import { keyValuePeerStore, type PeerStoreBackend } from '@wisp/p2p/edge'
import type { TaskInput, Verdict } from '@wisp/plugin-sdk'
import { IdbStore } from '@wisp/storage/idb'
import type { Remote } from 'comlink'
import type { WispWebConfig } from '../config.js'
import { PluginHost, type WorkerLike } from '../plugins/host.js'
import { workerAuthSigner, workerBlsSigner } from '../signer/client.js'
import type { KeyProfile, SigningService } from '../signer/protocol.js'
import { StatusTracker } from './status.js'

export interface NetworkFactoryOptions {
  base: PartialNetworkOptions
  allowLocalNetworks: boolean
  iceServers: WispWebConfig['p2p']['iceServers']
  /** undefined: the browser peer's default */
  maxDirectPeers: number | undefined
  /** undefined: the light peer's default (a relay and a spare) */
  relayTarget: number | undefined
  /** relays and peers seen, kept in this profile's IndexedDB so a reload reconnects fast */
  peerStore: PeerStoreBackend
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

/** Time the plugin host gives a validation past its deadline before it restarts the plugin worker. */
const PLUGIN_GRACE_MS = 1000

/** The address reaching `peerId` over WebRTC, signalled through a relay it holds a reservation on. */
export function webRTCAddressVia(relayAddress: string, peerId: string): string {
  return `${relayAddress}/p2p-circuit/webrtc/p2p/${peerId}`
}

/** Warnings and errors go to the console and the dashboard's log; the rest stays quiet on a page. */
function dashboardLogger(tracker: StatusTracker, name: string): Logger {
  return {
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
    child: (sub) => dashboardLogger(tracker, `${name}/${sub}`),
  }
}

export class AttesterNode {
  readonly tracker: StatusTracker
  readonly #p: AttesterNodeParams
  #operator: Operator | undefined
  #plugins: PluginHost | undefined
  #stopped = false

  constructor(params: AttesterNodeParams) {
    this.#p = params
    this.tracker = new StatusTracker(
      emptyStatus({
        runtime: params.mode,
        network: params.config.network.name,
        address: params.profile.address,
        chainId: params.config.chain.chainId,
        attestationCenter: params.config.chain.attestationCenter,
      }),
    )
  }

  get network(): WispNetwork | undefined {
    return this.#operator?.network
  }

  get engine(): Operator['engine'] | undefined {
    return this.#operator?.engine
  }

  get plugins(): PluginHost | undefined {
    return this.#plugins
  }

  async start(): Promise<void> {
    const { config, profile, signer, mode } = this.#p
    const allowLocalNetworks = config.p2p.allowLocalNetworks ?? config.network.kind === 'local'
    try {
      this.#operator = await createOperator(
        { ...config, roles: ['attester'] },
        {
          kind: mode,
          supportedRoles: ['attester'],
          address: profile.address,
          blsSigner: workerBlsSigner(signer, profile),
          authSigner: (me) => workerAuthSigner(signer, { operatorId: me.id, address: profile.address }),
          openStore: () => IdbStore.open({ name: this.#p.storeName }),
          createVerifier: () => this.#p.createVerifier(),
          createNetwork: (base, components) =>
            this.#p.createNetwork(
              {
                base,
                allowLocalNetworks,
                iceServers: config.p2p.iceServers,
                maxDirectPeers: config.p2p.maxDirectPeers,
                relayTarget: config.p2p.relayTarget,
                peerStore: this.#peerStore(),
              },
              components,
            ),
          loadPlugins: (c) => this.#loadPlugins(c),
          logger: dashboardLogger(this.tracker, 'wisp'),
          status: this.tracker,
        },
      )
    } catch (err) {
      await this.stop({ keepPhase: true })
      throw err
    }
  }

  /**
   * The light peer's store in this profile's IndexedDB, one entry per network (relay lists differ),
   * opened on each use: the operator's own store connection closes with it.
   */
  #peerStore(): PeerStoreBackend {
    const key = `p2p/peer-store/${this.#p.config.chain.chainId}/${this.#p.config.network.name}`
    const withDb = async <T>(fn: (db: IdbStore) => Promise<T>) => {
      const db = await IdbStore.open({ name: this.#p.storeName })
      try {
        return await fn(db)
      } finally {
        await db.close()
      }
    }
    return keyValuePeerStore(
      {
        get: (k) =>
          withDb(async (db) => {
            const bytes = await db.get(k)
            return bytes === undefined ? undefined : new TextDecoder().decode(bytes)
          }),
        put: (k, value) => withDb((db) => db.put(k, new TextEncoder().encode(String(value)))),
      },
      key,
    )
  }

  /** Plugins run in the plugin worker; the engine registers proxies that call it. */
  async #loadPlugins(config: WispWebConfig): Promise<LoadedPlugins> {
    const validateTimeoutMs =
      config.attester.validateTimeoutMs ?? OPERATOR_DEFAULTS.attester.validateTimeoutMs
    const host = new PluginHost(() => this.#p.createPluginWorker(), {
      validateTimeoutMs,
      graceMs: PLUGIN_GRACE_MS,
    })
    this.#plugins = host
    host.onRestart = (reason) => this.tracker.log('warn', `plugin worker restarted: ${reason}`)
    await host.start(config.plugins, {
      chainId: config.chain.chainId,
      rpcUrl: config.chain.rpcUrl,
      storeName: this.#p.storeName,
    })
    for (const p of host.loaded) {
      if (p.hasElectLeader)
        this.tracker.log(
          'warn',
          `${p.manifest.id} has its own leader election; the web attester uses round robin`,
        )
    }
    return {
      registrations: host.registrations(),
      described: host.loaded.map((p) => ({
        id: p.manifest.id,
        version: p.manifest.version,
        taskDefinitionIds: p.taskDefinitionIds,
        source: p.source,
        ...(p.url ? { url: p.url } : {}),
        ...(p.sha256 ? { sha256: p.sha256 } : {}),
      })),
      failures: host.failed.map((f) => ({ what: f.what, code: f.error.code, message: f.error.message })),
      // the plugin host enforces the real deadline; the engine's only bounds a queue that is too long
      engineValidateTimeoutMs: 2 * validateTimeoutMs + PLUGIN_GRACE_MS,
      stats: () => ({ validations: host.stats.validations, restarts: host.stats.restarts }),
      close: () => host.close(),
    }
  }

  /** Dials another browser directly over WebRTC, signalled through the first relay. Page mode only. */
  async dial(peerId: string): Promise<DialResult> {
    const started = performance.now()
    const network = this.#operator?.network
    const relay = this.#p.config.p2p.bootstrap[0]
    if (network === undefined || relay === undefined) return { ok: false, ms: 0, error: 'not running' }
    if (this.#p.mode !== 'page') return { ok: false, ms: 0, error: 'WebRTC is only available on a page' }
    try {
      const info = await network.dial(webRTCAddressVia(relay, peerId), {
        signal: AbortSignal.timeout(20_000),
      })
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
    await this.#operator?.stop().catch(() => undefined)
    this.#plugins?.close()
    if (!options.keepPhase) {
      this.tracker.update((s) => {
        s.phase = 'stopped'
      })
    }
  }
}
