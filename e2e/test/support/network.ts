// The whole multi-peer network of the e2e suite, in this process: the local network of
// `npm start` (@wisp/devnet: anvil + our contracts, a relay, the performer, the aggregator, Node
// attesters, the price source and the web attester's server with one-click registration), N
// browser attesters in real Chromium (one browser context each: separate idb, separate Web Locks,
// each creating its key and registering its own operator through the app), and one edge attester
// in real workerd (miniflare) running a spare operator of the devnet.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretKey } from '@wisp/bls'
import { type EngineEvents, taskInfoOf } from '@wisp/core'
import { type Devnet, signedHashChainTask, startDevnet, waitForMesh } from '@wisp/devnet'
import { type RunningWorker, startEdgeWorker } from '@wisp/edge/local'
import { createConsoleLogger } from '@wisp/node'
import { buildSendTaskParams, DOMAIN_TASKS, type TaskInfo, taskHash } from '@wisp/protocol'
import { launchChromium, waitFor, withTimeout } from '@wisp/test-utils'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { stringToBytes } from 'viem'
import {
  createKey,
  forwardConsole,
  installPageProbes,
  openApp,
  registerAndRun,
  type WispWindow,
  wisp,
} from './browser.ts'

type Hex = `0x${string}`

export interface NetworkOptions {
  browsers: number
  /** Node attesters' voting powers (whole units); keep them weak so the quorum needs the light operators */
  attesterPowers: number[]
  performerPower: number
  hashChainIterations: number
  aggregatorDelayMs: number
  /** the edge attester's alarm period: how fast it redials a lost relay */
  edgeKeepAliveMs: number
  /**
   * anvil's block time. The aggregator sends one submission per block (its writes wait for their
   * receipt, one at a time), so it bounds throughput: 4 blocks a second keeps a burst short.
   */
  blockTimeSeconds: number
  viewport: { width: number; height: number }
}

export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = {
  browsers: 6,
  attesterPowers: [10],
  performerPower: 10,
  hashChainIterations: 1000,
  aggregatorDelayMs: 1500,
  edgeKeepAliveMs: 2000,
  blockTimeSeconds: 0.25,
  viewport: { width: 1360, height: 900 },
}

export interface BrowserAttester {
  name: string
  context: BrowserContext
  page: Page
  address: Hex
  operatorId: number
  peerId: string
}

export interface EdgeAttester {
  worker: RunningWorker
  operatorId: number
  address: Hex
  peerId: string
}

type SubmissionSent = EngineEvents['submission:sent'] & { at: number }
type AttestationReceived = EngineEvents['attestation:received'] & { at: number }
/** an attestation as it arrived on the aggregator's gossip, before any engine-level dedupe */
export interface GossipVote {
  taskHash: Hex
  attester: Hex
  isApproved: boolean
  from: string
  at: number
}

/**
 * Everything the aggregator reports, recorded from the start so a test never misses an event
 * that fired before it began to wait.
 */
export class AggregatorRecord {
  readonly submissions = new Map<Hex, SubmissionSent>()
  readonly attestations: AttestationReceived[] = []
  readonly failures: Array<EngineEvents['submission:failed']> = []
  readonly gossipVotes: GossipVote[] = []
  readonly #waiters = new Set<() => void>()

  constructor(aggregator: Devnet['aggregator']) {
    const events = aggregator.engine.events
    aggregator.network.onMessage('attestation', (r) => {
      this.gossipVotes.push({
        taskHash: taskHash(taskInfoOf(r.message)),
        attester: r.message.attester.address as Hex,
        isApproved: r.message.isApproved,
        from: r.from,
        at: Date.now(),
      })
      this.#notify()
    })
    events.on('submission:sent', (e) => {
      this.submissions.set(e.taskHash, { ...e, at: Date.now() })
      this.#notify()
    })
    events.on('attestation:received', (e) => {
      this.attestations.push({ ...e, at: Date.now() })
      this.#notify()
    })
    events.on('submission:failed', (e) => this.failures.push(e))
  }

  #notify(): void {
    for (const wake of this.#waiters) wake()
  }

  /** Resolves when `probe` returns a value, re-checked on every aggregator event. */
  until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
    const now = probe()
    if (now !== undefined) return Promise.resolve(now)
    let wake: () => void = () => undefined
    const found = new Promise<T>((resolve) => {
      wake = () => {
        const value = probe()
        if (value !== undefined) resolve(value)
      }
      this.#waiters.add(wake)
    })
    return withTimeout(found, timeoutMs, what).finally(() => this.#waiters.delete(wake))
  }

  submitted(hash: Hex, timeoutMs = 60_000): Promise<SubmissionSent> {
    return this.until(
      `the aggregator to submit task ${hash}`,
      () => this.submissions.get(hash),
      timeoutMs,
    ).catch((err: Error) => {
      const votes = this.attestations.filter((a) => a.taskHash === hash)
      throw new Error(
        `${err.message}; votes received: ${JSON.stringify(votes.map((v) => [v.operatorId, v.isApproved]))}; failures: ${JSON.stringify(this.failures.filter((f) => f.taskHash === hash))}`,
      )
    })
  }

  votesOf(operatorId: number, hash?: Hex): AttestationReceived[] {
    return this.attestations.filter(
      (a) => a.operatorId === operatorId && (hash === undefined || a.taskHash === hash),
    )
  }
}

export interface PublishedTask {
  taskHash: Hex
  task: TaskInfo
  sentAt: number
}

export interface PreparedTask {
  taskHash: Hex
  task: TaskInfo
  params: unknown[]
}

export interface E2eNetwork {
  options: NetworkOptions
  devnet: Devnet
  browser: Browser
  browsers: BrowserAttester[]
  edge: EdgeAttester
  aggregator: AggregatorRecord
  /** the last lines of every component's log (for failure messages) */
  logs(): string
  /** a task of the devnet's performer (operator 1): executed, signed with BLS, gossiped */
  perform(definition?: 'hashChain' | 'priceOracle'): Promise<PublishedTask>
  /** a hash-chain task made and ECDSA-signed outside Wisp, sent through the aggregator's JSON-RPC `sendTask` */
  sendTask(options?: { wrongProof?: boolean }): Promise<PublishedTask>
  /** the same, in two steps: make and sign now (CPU), send later (I/O only) */
  prepareTask(options?: { wrongProof?: boolean }): Promise<PreparedTask>
  sendPrepared(prepared: PreparedTask): Promise<PublishedTask>
  /**
   * The `sendTask` params of a task signed by the performer (operator 1) with its BLS key: the
   * same task (same taskHash) as an ECDSA-signed one, but different bytes on the wire, so gossip
   * content dedupe does not drop it as a copy.
   */
  blsSignedParams(task: TaskInfo): unknown[]
  /** a JSON-RPC call to the aggregator */
  rpc(
    method: string,
    params: unknown[],
  ): Promise<{ result?: unknown; error?: { code: number; message: string } }>
  /** the relay has every light operator (and the Node peers) in the mesh of every topic */
  waitForFullMesh(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

export async function startNetwork(partial: Partial<NetworkOptions> = {}): Promise<E2eNetwork> {
  const options: NetworkOptions = { ...DEFAULT_NETWORK_OPTIONS, ...partial }
  const ring: string[] = []
  const log = (line: string) => {
    if (process.env.WISP_E2E_LOG) process.stderr.write(`${line}\n`)
    ring.push(line)
    if (ring.length > 400) ring.splice(0, ring.length - 300)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-e2e-'))
  const persistDir = mkdtempSync(join(tmpdir(), 'wisp-e2e-edge-'))
  const cleanups: Array<() => Promise<unknown>> = [
    async () => {
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(persistDir, { recursive: true, force: true })
    },
  ]
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  }
  try {
    const devnet = await startDevnet(
      {
        dataDir,
        ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
        web: true,
        schedule: false,
        attesterPowers: options.attesterPowers,
        performerPower: options.performerPower,
        spareOperators: 1,
        hashChainIterations: options.hashChainIterations,
        aggregatorDelayMs: options.aggregatorDelayMs,
        blockTimeSeconds: options.blockTimeSeconds,
      },
      { logger: createConsoleLogger({ level: 'warn', write: log }), print: log },
    )
    cleanups.push(() => devnet.stop())
    const aggregator = new AggregatorRecord(devnet.aggregator)
    const info = devnet.info
    if (info.web === undefined) throw new Error('the devnet serves no web attester')
    const spare = info.spares[0]
    if (spare === undefined) throw new Error('the devnet has no spare operator for the edge attester')

    // the edge attester: the spare operator's key in the worker's secret bindings, and the network's
    // operator config — the same file the devnet's nodes and the browsers start from
    const edgeStarting = startEdgeWorker({
      persistDir,
      bindings: {
        WISP_CONFIG: JSON.stringify(devnet.networkConfig),
        OPERATOR_PRIVATE_KEY: spare.ecdsaKey,
        KEEPALIVE_MS: String(options.edgeKeepAliveMs),
        LOG_LEVEL: 'warn',
      },
    })
    cleanups.push(async () => (await edgeStarting).stop())

    // the browsers: one context each, every page probed from its first script
    const browser = await launchChromium()
    cleanups.push(() => browser.close())
    const openings = Array.from({ length: options.browsers }, async (_, i) => {
      const name = `browser-${i + 1}`
      const context = await browser.newContext({ viewport: options.viewport })
      await installPageProbes(context)
      const page = await context.newPage()
      forwardConsole(page, name, log)
      await openApp(page, info.web!)
      await createKey(page)
      return { name, context, page }
    })
    const opened = await Promise.all(openings)
    // registrations are queued by the server (they share the funding account); run them together
    const running: WispWindow[] = await Promise.all(
      opened.map((b) => registerAndRun(b.page, { timeoutMs: 120_000 })),
    )
    const browsers: BrowserAttester[] = opened.map((b, i) => {
      const w = running[i]!
      return {
        ...b,
        address: w.profile!.address,
        operatorId: w.status!.operator.operatorId!,
        peerId: w.status!.p2p.peerId!,
      }
    })

    const worker = await edgeStarting
    const edgeStatus = await waitFor(
      'the edge attester to run and connect to the relay',
      async () => {
        const s = await worker.status()
        if (s.state === 'failed') throw new Error(`edge start failed: ${JSON.stringify(s.lastError)}`)
        return s.state === 'running' && s.p2p?.relayConnected === true && s
      },
      { timeoutMs: 60_000, context: () => worker.logs().slice(-3000) },
    )
    const edge: EdgeAttester = {
      worker,
      operatorId: edgeStatus.operator!.operatorId!,
      address: spare.address,
      peerId: edgeStatus.p2p!.peerId!,
    }

    const nodePeers = [devnet.performer, devnet.aggregator, ...devnet.attesters].map((n) => n.network.peerId)
    const waitForFullMesh = (timeoutMs = 30_000) =>
      waitForMesh(devnet.relay, [...nodePeers, ...browsers.map((b) => b.peerId), edge.peerId], timeoutMs)
    await waitForFullMesh()

    let counter = 0
    const rpc: E2eNetwork['rpc'] = async (method, params) => {
      const response = await fetch(info.jsonRpc, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++counter, method, params }),
      })
      return (await response.json()) as { result?: unknown; error?: { code: number; message: string } }
    }
    const performerOp = devnet.chain.operators[0]!
    const prepareTask: E2eNetwork['prepareTask'] = (prepareOptions = {}) =>
      signedHashChainTask(
        devnet,
        stringToBytes(`e2e:${process.pid}:${Date.now()}:${counter++}`),
        prepareOptions,
      )
    const sendPrepared: E2eNetwork['sendPrepared'] = async (prepared) => {
      const sentAt = Date.now()
      const answer = await rpc('sendTask', prepared.params)
      if (answer.error) throw new Error(`sendTask: ${answer.error.message}`)
      return { taskHash: prepared.taskHash, task: prepared.task, sentAt }
    }

    return {
      options,
      devnet,
      browser,
      browsers,
      edge,
      aggregator,
      logs: () =>
        `--- network log (last lines) ---\n${ring.slice(-80).join('\n')}\n--- edge worker ---\n${worker.logs().slice(-2000)}`,
      async perform(definition = 'hashChain') {
        const sentAt = Date.now()
        const published = await devnet.performer.engine.performer!.performOnce(
          devnet.taskDefinitions[definition],
        )
        return { taskHash: published.taskHash, task: published.task, sentAt }
      },
      prepareTask,
      sendPrepared,
      sendTask: async (sendOptions = {}) => sendPrepared(await prepareTask(sendOptions)),
      blsSignedParams(task) {
        const [x, y] = SecretKey.fromBytes(performerOp.blsSecretKey)
          .sign(DOMAIN_TASKS, taskHash(task))
          .toEvm()
        return buildSendTaskParams({ task, signature: { type: 'bls', signature: { x, y } } })
      },
      rpc,
      waitForFullMesh,
      stop,
    }
  } catch (err) {
    const tail = ring.slice(-60).join('\n')
    await stop()
    throw new Error(`${(err as Error).message}\n--- network log ---\n${tail}`, { cause: err })
  }
}

/** The light operators' current view, for failure messages. */
export async function describeBrowsers(browsers: BrowserAttester[]): Promise<string> {
  const rows = await Promise.all(
    browsers.map(async (b) => {
      const w = await wisp(b.page).catch(() => undefined)
      return `${b.name} (op ${b.operatorId}): view=${w?.view} phase=${w?.status?.phase} relay=${w?.status?.p2p.relayConnected} mesh=${w?.status?.p2p.meshPeers} counts=${JSON.stringify(w?.status?.counts)}`
    }),
  )
  return rows.join('\n')
}
