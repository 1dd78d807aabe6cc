// The worker module for workerd. One Durable Object (`EdgeAttesterObject`) per deployment holds
// the attester: a long-lived isolate whose outbound WebSocket to the relay stays open between
// requests, kept alive by an alarm every KEEPALIVE_MS; its storage holds slashing protection.
// The stateless entry forwards every request to that object.
//
//   GET  /status            status JSON: the shared operator status (phase, operator, chain, peers,
//                           counts, last tasks and outcomes) + the object's state and the edge's extras
//   GET  /healthz           200 when running and connected to a relay, else 503
//   GET  /admin/slashing    slashing-protection interchange file   (Bearer ADMIN_TOKEN)
//   POST /admin/attest      {"params": [sendTask params]}: validate and vote on a task (Bearer ADMIN_TOKEN)
//   GET  /internal/wake     start (or retry) now; what the cron trigger calls
import { MemoryMetrics } from '@wisp/interface'
import type { OperatorStatus, StatusTracker } from '@wisp/operator'
import { randomSeed } from '@wisp/p2p'
import type { Hex } from 'viem'
import { createEdgeStatus, type EdgeAttester, type EdgeExtras, startEdgeAttester } from './attester.js'
import type { DurableObjectState, ExecutionContext, ScheduledController } from './cf.js'
import {
  DEFAULTS,
  type EdgeConfig,
  type EdgeEnv,
  type EdgeSecrets,
  hostOf,
  loadEdgeNetwork,
  parseEdgeConfig,
  type ShownConfig,
  shownConfig,
} from './config.js'
import { DurableObjectStore } from './do-store.js'
import { describeError, EdgeError } from './errors.js'
import { createConsoleLogger } from './logger.js'
import { installShims } from './shims.js'

export type { EdgeEnv } from './config.js'

/** Fills the globals libp2p expects and workerd lacks (see shims.ts); libp2p needs them only once it runs. */
const SHIMMED = installShims()

// workerd takes every export of the main module for an entry point (a handler or a class), so this
// module exports only those (and types).
/** The one object of a deployment: one operator per worker. */
const OBJECT_NAME = 'attester'
const SEED_KEY = 'meta:p2p-seed'
const STARTS_KEY = 'meta:starts'

type State = 'idle' | 'starting' | 'running' | 'failed'

/**
 * The status JSON: the shared operator status (@wisp/operator's `OperatorStatus`, the same model
 * every runtime's dashboard reads) once the config is read, plus the Durable Object's own state
 * and what only the edge shows (`edge`).
 */
export interface EdgeStatus extends Partial<OperatorStatus> {
  name: 'wisp-edge-attester'
  /** the object's state: `failed` until a retry succeeds (the shared `phase` says `error` then too) */
  state: State
  /** start attempts of this object with a valid config, persisted: counts restarts, evictions and retries */
  starts: number
  uptimeMs?: number
  lastError?: { name: string; code?: string; message: string; at: number }
  /** alarms handled by this instance of the object */
  keepAlive: { periodMs: number; alarms: number; lastAlarmAt?: number }
  /** the config without secrets (see `shownConfig`) */
  config?: ShownConfig
  /** while running */
  edge?: EdgeExtras
  shims: typeof SHIMMED
}

function json(body: unknown, status = 200, redact: (text: string) => string = (text) => text): Response {
  return new Response(
    JSON.stringify(body, (_k, v) =>
      typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? redact(v) : v,
    ),
    {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    },
  )
}

function errorResponse(err: unknown, status: number, redact?: (text: string) => string): Response {
  return json({ error: describeError(err) }, status, redact)
}

/** Constant-time comparison of the bearer token. */
function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  let diff = x.length ^ y.length
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

export class EdgeAttesterObject {
  readonly #state: DurableObjectState
  readonly #env: EdgeEnv
  #status: State = 'idle'
  #attester: EdgeAttester | undefined
  /** the shared status of the current (or last) start attempt */
  #tracker: StatusTracker | undefined
  #starting: Promise<void> | undefined
  #config: EdgeConfig | undefined
  #secrets: EdgeSecrets | undefined
  #logger = createConsoleLogger('info')
  #lastError: EdgeStatus['lastError']
  #starts = 0
  #alarms = 0
  #lastAlarmAt: number | undefined

  constructor(state: DurableObjectState, env: EdgeEnv) {
    this.#state = state
    this.#env = env
  }

  /** viem puts the request URL in its messages; an RPC URL often carries an API key: show its host. */
  readonly #redact = (text: string): string => {
    const rpcUrl = this.#config?.operator.chain.rpcUrl
    return rpcUrl !== undefined && text.includes(rpcUrl)
      ? text.replaceAll(rpcUrl, `<${hostOf(rpcUrl)}>`)
      : text
  }

  /**
   * Starts the attester once; concurrent callers share the attempt. After a failure only the
   * alarm (and /internal/wake) retry, so a broken config is not re-tried on every request.
   */
  #ensureStarted(retry = false): Promise<void> {
    if (this.#status === 'running' || (this.#status === 'failed' && !retry)) {
      return this.#starting ?? Promise.resolve()
    }
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined
    })
    return this.#starting
  }

  async #start(): Promise<void> {
    this.#status = 'starting'
    try {
      let config: EdgeConfig
      let secrets: EdgeSecrets
      try {
        ;({ config, secrets } = parseEdgeConfig(this.#env, await loadEdgeNetwork(this.#env)))
        this.#config = config
        this.#secrets = secrets
        this.#logger = createConsoleLogger(config.logLevel, 'edge', undefined, this.#redact)
      } finally {
        // armed before anything else can fail (with the configured period once the config is
        // read), so even a failed start is retried
        await this.#scheduleAlarm()
      }
      const storage = this.#state.storage
      this.#starts = ((await storage.get<number>(STARTS_KEY)) ?? 0) + 1
      await storage.put(STARTS_KEY, this.#starts)
      let seed = secrets.p2pSeed ?? (await storage.get<Hex>(SEED_KEY))
      if (seed === undefined) {
        seed = randomSeed() as Hex
        await storage.put(SEED_KEY, seed)
      }
      // a new status per attempt: a failed one shows its phase and code until the next
      const metrics = new MemoryMetrics()
      this.#tracker = createEdgeStatus(config, metrics)
      this.#attester = await startEdgeAttester(config, secrets, {
        store: new DurableObjectStore(storage),
        logger: this.#logger,
        p2pSeed: seed,
        status: this.#tracker,
        metrics,
      })
      this.#status = 'running'
      this.#lastError = undefined
    } catch (err) {
      this.#status = 'failed'
      const info = describeError(err)
      info.message = this.#redact(info.message)
      this.#lastError = { ...info, at: Date.now() }
      this.#logger.error('start failed; the alarm retries', info)
    }
  }

  async #scheduleAlarm(): Promise<void> {
    const period = this.#config?.keepAliveMs ?? DEFAULTS.keepAliveMs
    const current = await this.#state.storage.getAlarm()
    if (current === null || current > Date.now() + period) {
      await this.#state.storage.setAlarm(Date.now() + period)
    }
  }

  /** Keep-alive: the alarm wakes the object (or re-creates it after an eviction) and re-arms itself. */
  async alarm(): Promise<void> {
    this.#alarms++
    this.#lastAlarmAt = Date.now()
    await this.#ensureStarted(true)
    if (this.#attester !== undefined) {
      await this.#attester.tick().catch((err) => this.#logger.warn('tick failed', describeError(err)))
    }
    await this.#state.storage.setAlarm(Date.now() + (this.#config?.keepAliveMs ?? DEFAULTS.keepAliveMs))
  }

  status(): EdgeStatus {
    const c = this.#config
    const shared: Partial<OperatorStatus> & { edge?: EdgeExtras } =
      this.#attester?.status() ?? this.#tracker?.snapshot() ?? {}
    return {
      ...shared,
      name: 'wisp-edge-attester',
      state: this.#status,
      starts: this.#starts,
      ...(this.#status === 'running' && shared.startedAt !== undefined
        ? { uptimeMs: Date.now() - shared.startedAt }
        : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {}),
      keepAlive: {
        periodMs: c?.keepAliveMs ?? DEFAULTS.keepAliveMs,
        alarms: this.#alarms,
        ...(this.#lastAlarmAt !== undefined ? { lastAlarmAt: this.#lastAlarmAt } : {}),
      },
      ...(c !== undefined ? { config: shownConfig(c) } : {}),
      shims: SHIMMED,
    }
  }

  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    // every request (and the alarm) makes sure the attester runs; /status does not wait for it
    const started = this.#ensureStarted(url.pathname === '/internal/wake')
    try {
      switch (url.pathname) {
        case '/':
        case '/status':
          return json(this.status(), 200, this.#redact)
        case '/healthz': {
          const s = this.status()
          const ok = s.state === 'running' && s.p2p?.relayConnected === true
          return json({ ok, state: s.state }, ok ? 200 : 503)
        }
        case '/internal/wake':
          await started
          return json({ state: this.#status })
      }
      if (url.pathname.startsWith('/admin/')) return await this.#admin(request, url, started)
      return json({ error: { name: 'EdgeError', code: 'EDGE_BAD_REQUEST', message: 'not found' } }, 404)
    } catch (err) {
      this.#logger.error('request failed', { path: url.pathname, ...describeError(err) })
      return errorResponse(
        err,
        err instanceof EdgeError && err.code === 'EDGE_BAD_REQUEST' ? 400 : 500,
        this.#redact,
      )
    }
  }

  async #admin(request: Request, url: URL, started: Promise<void>): Promise<Response> {
    await started
    const token = this.#secrets?.adminToken
    const given = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1]
    if (token === undefined || given === undefined || !sameToken(given, token)) {
      return errorResponse(new EdgeError('EDGE_UNAUTHORIZED', 'admin endpoints need ADMIN_TOKEN'), 401)
    }
    const attester = this.#attester
    if (attester === undefined) {
      return errorResponse(new EdgeError('EDGE_START_FAILED', 'the attester is not running'), 503)
    }
    if (url.pathname === '/admin/slashing' && request.method === 'GET') {
      return json(await attester.exportSlashingProtection())
    }
    if (url.pathname === '/admin/attest' && request.method === 'POST') {
      let body: { params?: unknown }
      try {
        body = (await request.json()) as { params?: unknown }
      } catch {
        throw new EdgeError('EDGE_BAD_REQUEST', 'the body must be JSON: {"params": [sendTask params]}')
      }
      return json(await attester.attest(body.params))
    }
    throw new EdgeError('EDGE_BAD_REQUEST', `no admin endpoint ${request.method} ${url.pathname}`)
  }
}

function stub(env: EdgeEnv) {
  return env.ATTESTER.get(env.ATTESTER.idFromName(OBJECT_NAME))
}

export default {
  fetch(request: Request, env: EdgeEnv): Promise<Response> {
    return stub(env).fetch(request)
  },
  /** A cron trigger (optional) wakes the object in case its alarm was lost. */
  scheduled(_controller: ScheduledController, env: EdgeEnv, ctx: ExecutionContext): void {
    ctx.waitUntil(stub(env).fetch('https://edge.internal/internal/wake'))
  },
}
