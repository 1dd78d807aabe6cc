// What the multi-process benchmarks (roles.ts, scale.ts) share: a role process with a
// request/answer channel (bench/role-process.ts), and a network of anvil + the devnet contracts +
// a relay + an aggregator + attesters, each role in child processes on loopback, with a task
// sender that times each task from `sendTask` to the aggregator's on-chain submission.
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { freemem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { initBls } from '@wisp/bls'
import { ANVIL_DEV_KEYS, type Anvil, startAnvil, WAD } from '@wisp/contracts/dev'
import { networkFileOf } from '@wisp/deploy'
import { type OperatorConfig, operatorConfigFromNetwork } from '@wisp/operator'
import { stringToBytes } from 'viem'
import { type DevnetChain, deployDevnetChain } from '../src/chain.js'
import { DEVNET_OUTCOME_WINDOW_MS, DEVNET_SLASHING } from '../src/devnet.js'
import { sendSignedTask, signedHashChainTask } from '../src/tasks.js'
import type { ChildMessage, NodeSpec, ParentMessage, StartMessage } from './role-process.js'

type Hex = `0x${string}`
export type Validation = 'full' | 'light'
export type Submitted = Extract<ChildMessage, { type: 'submitted' }>

const ROLE_PROCESS = fileURLToPath(new URL('./role-process.ts', import.meta.url))

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
export const round = (x: number) => Math.round(x * 100) / 100
export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

/** A role process and a request/answer channel to it. */
export class Role {
  readonly child: ChildProcess
  readonly ready: Promise<Extract<ChildMessage, { type: 'ready' }>>
  #next = 0
  #waiting = new Map<number, (m: ChildMessage) => void>()
  onSubmitted: (submitted: Submitted) => void = () => undefined
  /** tasks the aggregator published again because an attester missed them (`task:copied`) */
  copies = 0

  constructor(
    readonly kind: 'relay' | 'aggregator' | 'attester',
    readonly attesters: number,
    start: StartMessage,
  ) {
    this.child = fork(ROLE_PROCESS, [], {
      execArgv: ['--conditions=@wisp/source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.ready = new Promise((resolve, reject) => {
      this.child.once('exit', (code) =>
        reject(new Error(`${kind} process exited (${code}) before it was ready`)),
      )
      this.child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') resolve(m)
        else if (m.type === 'failed') reject(new Error(`${kind} process failed: ${m.error}`))
        else if (m.type === 'submitted') this.onSubmitted(m)
        else if (m.type === 'copied') this.copies++
        else this.#waiting.get(m.id)?.(m)
      })
    })
    // a process that fails before anyone awaits `ready` must not end the benchmark
    this.ready.catch(() => undefined)
    this.child.send(start satisfies ParentMessage)
  }

  ask<T extends 'cpu' | 'mesh' | 'gossip' | 'relays'>(
    type: T,
    extra: Partial<Extract<ParentMessage, { type: T }>> = {},
  ): Promise<Extract<ChildMessage, { type: T }>> {
    const id = this.#next++
    return new Promise((resolve) => {
      this.#waiting.set(id, (m) => {
        this.#waiting.delete(id)
        resolve(m as Extract<ChildMessage, { type: T }>)
      })
      this.child.send({ ...extra, type, id } as ParentMessage)
    })
  }

  /** `profile`: start a CPU profile now, or stop it and write it to a file (the measured tasks only). */
  async cpuMs(
    profile?: 'start' | { stopTo: string },
  ): Promise<{ ms: number; rssBytes: number; blsJobs?: number }> {
    const m = await this.ask('cpu', profile !== undefined ? { profile } : {})
    return {
      ms: (m.userUs + m.systemUs) / 1000,
      rssBytes: m.rssBytes,
      ...(m.blsJobs !== undefined ? { blsJobs: m.blsJobs } : {}),
    }
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      // exited, or killed (a killed process has a signal code and no exit code)
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve()
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.kill('SIGTERM')
    })
  }
}

export interface BenchNetworkOptions {
  /** registered attesters (operators 2..n+1; operator 1 performs) */
  attesters: number
  /** attesters actually started (default: all); the others stay registered but silent */
  started?: number
  validation: Validation
  attestersPerProcess: number
  iterations: number
  /** stop starting attester processes when the machine's free memory falls below this */
  minFreeBytes?: number
  /**
   * The attesters' chain polling (status, outcomes, directory), 250 ms like the aggregator's by
   * default. An attester reads the head block itself for each task, so a slower poll delays no
   * vote; hundreds of nodes on one anvil at 250 ms each spend the machine on RPC.
   */
  attesterPollingIntervalMs?: number
  /** false: the attesters do not subscribe to the votes topic (operator config p2p.receiveVotes) */
  attesterReceiveVotes?: boolean
  /**
   * true: the attesters of one process follow the chain through one shared chain cache (one RPC
   * poll per interval per process, as operators hosted together would); false: one each
   */
  attestersShareChain?: boolean
  /** relay processes, federated (default 1); the attesters and the aggregator are given them all */
  relays?: number
  /**
   * The attesters' network: the light peer of browsers and edge workers (holds `relayTarget` of
   * the relays, moves when one goes) instead of the Node peer (dials every relay)
   */
  lightAttesters?: { relayTarget: number }
  progress: (line: string) => void
}

export interface BenchNetwork {
  anvil: Anvil
  chain: DevnetChain['network']
  /** the first relay */
  relay: Role
  /** every relay, the first first */
  relays: Role[]
  aggregator: Role
  attesterRoles: Role[]
  roles: Role[]
  /** attester nodes that came up and subscribed */
  startedAttesters: number
  /** why fewer attesters than asked were started, if so */
  stoppedBy?: string
  setupSeconds: { deploy: number; start: number; subscribe: number }
  sendTask: () => Promise<number | undefined>
  unfinalized: () => number
  submissions: Submitted[]
  stop: () => Promise<void>
}

/** Deploys the devnet contracts on a fresh anvil and starts the roles; `stop` ends them all. */
export async function startBenchNetwork(options: BenchNetworkOptions): Promise<BenchNetwork> {
  const { progress, validation } = options
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-roles-'))
  const roles: Role[] = []
  const anvil = await startAnvil({ port: 0, blockTime: 0 })
  const stop = async () => {
    // nodes before the relay they keep redialling
    await Promise.all(roles.filter((r) => r.kind !== 'relay').map((r) => r.stop()))
    await Promise.all(roles.filter((r) => r.kind === 'relay').map((r) => r.stop()))
    await anvil.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    // the operators' proofs of possession are signed here: WebAssembly where it loads, as in a node
    await initBls()
    progress(`${options.attesters} attesters, validation ${validation}: deploying`)
    const t0 = performance.now()
    const deployed = await deployDevnetChain({
      rpcUrl: anvil.rpcUrl,
      dataDir,
      powers: [10, ...Array<number>(options.attesters).fill(10)],
      taskDefinitions: [
        {
          name: 'hash-chain',
          plugin: { package: '@wisp/plugin-hash-chain' },
          config: { iterations: options.iterations },
          rewards: { attesters: WAD / 100n, performer: WAD / 50n, aggregator: WAD / 200n },
        },
      ],
      slashing: DEVNET_SLASHING,
      // gas money only: a thousand operators at 10 ETH would exceed anvil's 10 000 ETH faucet
      operatorEth: WAD,
      pollingIntervalMs: 100,
    })
    const chain = deployed.network
    const hashChain = chain.taskDefinitions.find((d) => d.name === 'hash-chain')!.id
    const tDeployed = performance.now()

    const relayStart = {
      type: 'start' as const,
      role: 'relay' as const,
      rpcUrl: anvil.rpcUrl,
      chainId: chain.chainId,
      attestationCenter: chain.contracts.attestationCenter,
      dataDir: join(dataDir, 'relay'),
      // what operator.ts gives a node that does not aggregate
      voteChecks:
        validation === 'light'
          ? { mode: 'sample' as const, peersSample: true }
          : { mode: 'all' as const, peersSample: false },
    }
    const relay = new Role('relay', 0, relayStart)
    roles.push(relay)
    const firstAddrs = (await relay.ready).multiaddrs
    const relays = [relay]
    for (let i = 1; i < (options.relays ?? 1); i++) {
      const more = new Role('relay', 0, {
        ...relayStart,
        dataDir: join(dataDir, `relay-${i}`),
        federateWith: firstAddrs,
      })
      roles.push(more)
      relays.push(more)
    }
    const relayAddrs = (await Promise.all(relays.map((r) => r.ready))).flatMap((r) => r.multiaddrs)

    const networkFile = networkFileOf(deployed.plan, deployed.deployment, {
      rpcUrls: [anvil.rpcUrl],
      relays: relayAddrs,
    })
    const networkConfig = operatorConfigFromNetwork(networkFile, {
      config: {
        chain: { pollingIntervalMs: 250, outcomeWindowMs: DEVNET_OUTCOME_WINDOW_MS },
        election: { windowBlocks: 16, roundRobinInterval: 1_000_000, performerIds: [chain.operators[0]!.id] },
        aggregator: { delayMs: 0 },
      },
    })
    const config = (name: string, patch: Partial<OperatorConfig>): OperatorConfig => ({
      ...networkConfig,
      ...patch,
      p2p: { ...networkConfig.p2p, validation },
      dataDir: join(dataDir, name),
    })

    const withReceiveVotes = (c: OperatorConfig): OperatorConfig =>
      options.attesterReceiveVotes === false ? { ...c, p2p: { ...c.p2p, receiveVotes: false } } : c

    progress('starting the aggregator and the attesters')
    const aggregator = new Role('aggregator', 0, {
      type: 'start',
      role: 'aggregator',
      nodes: [
        {
          name: 'aggregator',
          ecdsaKey: ANVIL_DEV_KEYS[1] as Hex,
          operator: config('aggregator', {
            roles: ['aggregator'],
            jsonRpc: { port: 0, host: '127.0.0.1' },
          }),
        },
      ],
    })
    roles.push(aggregator)
    const jsonRpc = (await aggregator.ready).jsonRpc!
    const attesterOps = chain.operators.slice(1, 1 + (options.started ?? options.attesters))
    const attesterRoles: Role[] = []
    let stoppedBy: string | undefined
    for (let i = 0; i < attesterOps.length; i += options.attestersPerProcess) {
      if (options.minFreeBytes !== undefined && freemem() < options.minFreeBytes) {
        stoppedBy = `free memory ${(freemem() / 2 ** 30).toFixed(1)} GiB < ${(options.minFreeBytes / 2 ** 30).toFixed(1)} GiB after ${i} attesters`
        progress(`stopping: ${stoppedBy}`)
        break
      }
      const nodes: NodeSpec[] = attesterOps.slice(i, i + options.attestersPerProcess).map((op) => ({
        name: `attester-${op.id}`,
        ecdsaKey: op.ecdsaKey,
        blsKey: op.blsSecretKey,
        operator: withReceiveVotes(
          config(`attester-${op.id}`, {
            roles: ['attester'],
            ...(options.attesterPollingIntervalMs === undefined
              ? {}
              : { chain: { ...networkConfig.chain, pollingIntervalMs: options.attesterPollingIntervalMs } }),
          }),
        ),
      }))
      const role = new Role('attester', nodes.length, {
        type: 'start',
        role: 'attester',
        nodes,
        shareChain: options.attestersShareChain ?? false,
        ...(options.lightAttesters ? { light: options.lightAttesters } : {}),
      })
      attesterRoles.push(role)
      roles.push(role)
      // one process at a time when memory is watched (its footprint shows before the next), else
      // a few at a time: every process loads its modules on the same 2 cores
      if (options.minFreeBytes !== undefined || attesterRoles.length % 4 === 0) {
        await role.ready.catch(() => undefined)
        progress(`${i + nodes.length} attesters started, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`)
      }
    }
    const settled = await Promise.allSettled(attesterRoles.map((r) => r.ready))
    const failed = settled.filter((s) => s.status === 'rejected')
    if (failed.length > 0) {
      stoppedBy = `${failed.length} attester processes failed: ${String((failed[0] as PromiseRejectedResult).reason).slice(0, 300)}`
      progress(stoppedBy)
    }
    const peerIds = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.peerIds : []))
    const tStarted = performance.now()

    progress(`waiting for ${peerIds.length} attesters to subscribe at the relay`)
    // on 2 shared cores a few hundred nodes take minutes to dial and subscribe
    const subscribeTimeoutMs = 180_000 + peerIds.length * 1500
    // no node newly subscribed for this long: stop waiting, say why (both sides' gossipsub state)
    const stallMs = Number(process.env.WISP_BENCH_SCALE_STALL_S ?? 180) * 1000
    let polls = 0
    let best = -1
    let bestAt = performance.now()
    for (;;) {
      // subscribed at any relay: a light attester holds only some of them
      const answers = await Promise.all(relays.map((r) => r.ask('mesh')))
      const answer = {
        peers: Object.fromEntries(
          Object.keys(answers[0]!.peers).map((topic) => [
            topic,
            answers.flatMap((a) => a.peers[topic as keyof typeof a.peers]),
          ]),
        ) as (typeof answers)[0]['peers'],
        connected: answers.flatMap((a) => a.connected),
      }
      const mesh = answer.peers
      const expected = Object.entries(mesh)
        .filter(([topic]) => topic !== 'attestation' || options.attesterReceiveVotes !== false)
        .map(([, peers]) => peers)
      if (expected.every((peers) => peerIds.every((id) => peers.includes(id)))) break
      const least = Math.min(...expected.map((peers) => peerIds.filter((id) => peers.includes(id)).length))
      if (least > best) {
        best = least
        bestAt = performance.now()
      }
      if (performance.now() - bestAt > stallMs) {
        const missing = peerIds.filter((id) => expected.some((peers) => !peers.includes(id))).slice(0, 10)
        const relayId = (await relay.ready).peerIds[0]!
        const [atRelay, ...atNodes] = await Promise.all(
          [relay, ...attesterRoles].map((r) => r.ask('gossip', { peers: missing, relay: relayId })),
        )
        const views = [...atRelay!.views, ...atNodes.flatMap((a) => a.views)]
        throw new Error(
          `${least}/${peerIds.length} subscribed at the relay and none more for ${stallMs / 1000} s; gossipsub state of 10 missing (relay's view of each, each one's view of the relay): ${JSON.stringify(views)}`,
        )
      }
      if (performance.now() - tStarted > subscribeTimeoutMs) {
        const counts = Object.entries(mesh).map(
          ([topic, peers]) =>
            `${topic} ${peerIds.filter((id) => peers.includes(id)).length}/${peerIds.length}`,
        )
        // which nodes are missing, and whether the relay holds a connection to them at all
        const missing = peerIds
          .filter((id) => expected.some((peers) => !peers.includes(id)))
          .map((id) => `${id.slice(-8)}${answer.connected.includes(id) ? ' connected' : ' not connected'}`)
        throw new Error(
          `not every node subscribed at the relay within ${subscribeTimeoutMs / 1000} s (${counts.join(', ')}; missing: ${missing.slice(0, 20).join(', ')})`,
        )
      }
      if (++polls % 60 === 0) {
        progress(
          `${least}/${peerIds.length} subscribed, ${answer.connected.length} peers connected to the relay`,
        )
      }
      await sleep(500)
    }
    // a few gossipsub heartbeats (1 s) to graft the meshes
    await sleep(3000)
    const tSubscribed = performance.now()

    const waiting = new Map<string, () => void>()
    const submissions: Submitted[] = []
    aggregator.onSubmitted = (submitted) => {
      submissions.push(submitted)
      waiting.get(submitted.taskHash)?.()
    }
    let counter = 0
    let unfinalized = 0
    const taskTimeoutMs = 120_000
    const devnetView = {
      chain,
      taskDefinitions: { hashChain, priceOracle: hashChain },
      options: { hashChainIterations: options.iterations },
    } as Parameters<typeof signedHashChainTask>[0]
    /** Finality in ms; undefined (counted in `unfinalized`) when not submitted within the timeout. */
    const sendTask = async (): Promise<number | undefined> => {
      const signed = await signedHashChainTask(devnetView, stringToBytes(`bench:${counter++}:${Date.now()}`))
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = new Promise<boolean>((resolve) => {
        waiting.set(signed.taskHash, () => resolve(true))
        timer = setTimeout(() => resolve(false), taskTimeoutMs)
      })
      const start = performance.now()
      await sendSignedTask(jsonRpc, signed)
      const submitted = await done
      clearTimeout(timer)
      waiting.delete(signed.taskHash)
      if (!submitted) {
        unfinalized++
        progress(`task ${signed.taskHash} not submitted within ${taskTimeoutMs / 1000} s`)
        return undefined
      }
      return performance.now() - start
    }
    return {
      anvil,
      chain,
      relay,
      relays,
      aggregator,
      attesterRoles,
      roles,
      startedAttesters: peerIds.length,
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
      setupSeconds: {
        deploy: round((tDeployed - t0) / 1000),
        start: round((tStarted - tDeployed) / 1000),
        subscribe: round((tSubscribed - tStarted) / 1000),
      },
      sendTask,
      unfinalized: () => unfinalized,
      submissions,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}
