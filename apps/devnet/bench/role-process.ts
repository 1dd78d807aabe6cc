// One role of the multi-process benchmarks (roles.ts, scale.ts; started by setup.ts), in a process of its own so that
// process.cpuUsage() counts that role's work only (its BLS worker threads included). The parent
// sends one `start` message over the IPC channel; the process answers `ready`, then `cpu` on
// request, and reports every submission the aggregator makes. Not meant to be run by hand.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { type BlsVerifier, initBls } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import {
  createChainBackend,
  createChainCache,
  createChainDirectory,
  DEFAULT_CACHE_MAX_AGE_MS,
} from '@wisp/chain'
import { createConsoleLogger, keysFromEcdsa, type NodeLogger, startWispNode, type WispNode } from '@wisp/node'
import type { OperatorConfig } from '@wisp/operator'
import type { RepairCounts, WispNetwork } from '@wisp/p2p'
import { createEdgePeer, type LightNetwork } from '@wisp/p2p/edge'
import { createRelay } from '@wisp/p2p/node'
import { createPublicClient, http } from 'viem'

type Hex = `0x${string}`

export interface NodeSpec {
  name: string
  ecdsaKey: Hex
  blsKey?: Hex
  operator: OperatorConfig
}

export type StartMessage =
  | {
      type: 'start'
      role: 'relay'
      rpcUrl: string
      chainId: number
      attestationCenter: Hex
      dataDir: string
      voteChecks: { mode: 'all' | 'sample'; peersSample: boolean }
      /** relays to federate with (the first relay's addresses) */
      federateWith?: string[]
    }
  | {
      type: 'start'
      role: 'aggregator' | 'attester'
      nodes: NodeSpec[]
      /** the nodes follow the chain through one chain cache (see setup.ts attestersShareChain) */
      shareChain?: boolean
      /** the nodes' network is the light peer (createEdgePeer), holding this many relays */
      light?: { relayTarget: number }
    }

export type ParentMessage =
  | StartMessage
  | { type: 'cpu'; id: number; profile?: 'start' | { stopTo: string } }
  | { type: 'mesh'; id: number }
  /** gossipsub's view of these peers (the relay) or of the relay (the nodes that are these peers) */
  | { type: 'gossip'; id: number; peers: string[]; relay: string }
  | { type: 'relays'; id: number }

export type ChildMessage =
  | { type: 'ready'; peerIds: string[]; multiaddrs: string[]; jsonRpc?: string; blsBackend: string }
  | { type: 'cpu'; id: number; userUs: number; systemUs: number; rssBytes: number; blsJobs?: number }
  | {
      type: 'mesh'
      id: number
      peers: Record<'task' | 'attestation' | 'taskSubmitted', string[]>
      /** peers with an open connection to the relay */
      connected: string[]
    }
  | { type: 'gossip'; id: number; views: GossipView[] }
  /** the relays each light node of an attester process holds now */
  | {
      type: 'relays'
      id: number
      /** `connectedAt`: when (ms since the epoch) each connected relay's connection was made */
      nodes: Array<{ peerId: string; connected: string[]; connectedAt: Record<string, number> }>
    }
  | { type: 'submitted'; taskHash: string; attesters: number; txHash: Hex }
  | { type: 'copied'; taskHash: string }
  | { type: 'failed'; error: string }

/** One side's gossipsub state about the other: `of` is the remote peer, `at` the node asked. */
export interface GossipView {
  at: string
  of: string
  connections: number
  /** seconds since the oldest connection to it opened */
  connectedForS: number
  /** identify has run (it stores the remote's agent version) */
  identified: boolean
  /** protocols this side has stored for the remote: from identify, or from streams opened */
  protocols: number
  /** gossipsub knows it (it runs the protocol there) */
  known: boolean
  /** a stream to send on, and one it reads from */
  outbound: boolean
  inbound: boolean
  /** the topics it is subscribed to, as this side knows them */
  topics: number
  score: number
  /** what this side's connection repair did about the remote, and gossipsub's read-error drops */
  repairs: RepairCounts
}

/** What gossipsub (js-gossipsub's fields, outside its published type) holds about `remote`. */
async function gossipView(network: WispNetwork, remote: string): Promise<GossipView> {
  const pubsub = network.libp2p.services.pubsub as unknown as {
    peers: Map<string, unknown>
    streamsOutbound: Map<string, unknown>
    streamsInbound: Map<string, unknown>
    topics: Map<string, Set<string>>
    score: { score(id: string): number }
  }
  const connections = network.libp2p.getConnections().filter((c) => c.remotePeer.toString() === remote)
  const stored = connections[0]
    ? await network.libp2p.peerStore.get(connections[0].remotePeer).catch(() => undefined)
    : undefined
  return {
    at: network.peerId,
    of: remote,
    connections: connections.length,
    connectedForS: Math.round((Date.now() - Math.min(...connections.map((c) => c.timeline.open))) / 1000),
    identified: stored?.metadata.has('AgentVersion') === true,
    protocols: stored?.protocols.length ?? 0,
    known: pubsub.peers.has(remote),
    outbound: pubsub.streamsOutbound.has(remote),
    inbound: pubsub.streamsInbound.has(remote),
    topics: [...pubsub.topics.values()].filter((peers) => peers.has(remote)).length,
    score: Math.round(pubsub.score.score(remote) * 100) / 100,
    repairs: network.repairs(remote),
  }
}

const send = (message: ChildMessage) => process.send?.(message)

// errors only: a log line costs CPU that would be counted against the role
const logger: NodeLogger = createConsoleLogger({ level: 'error' })

let relay: WispNetwork | undefined
let blsJobs: number | undefined
const nodes: WispNode[] = []
const closers: Array<() => Promise<void>> = []
/** light nodes: peer id → (remote peer id → when the connection to it was made) */
const connectedAt = new Map<string, Map<string, number>>()

async function start(message: StartMessage): Promise<void> {
  // what startWispNode and the pool's workers pick too (WebAssembly where it loads, else noble)
  const blsBackend = await initBls()
  if (message.role === 'relay') {
    const publicClient = createPublicClient({ transport: http(message.rpcUrl), pollingInterval: 250 })
    const directory = createChainDirectory(
      { attestationCenter: message.attestationCenter, outcomeWindowMs: 2000 },
      { publicClient },
    )
    const pool = createNodeVerifierPool({ workers: 1 })
    closers.push(async () => pool.close())
    // counted: the relay's BLS work per task is one of the figures
    const verifier: BlsVerifier = {
      verify: (job) => {
        blsJobs = (blsJobs ?? 0) + 1
        return pool.verify(job)
      },
      verifyMany: (jobs) => {
        blsJobs = (blsJobs ?? 0) + jobs.length
        return pool.verifyMany(jobs)
      },
      get pending() {
        return pool.pending
      },
      close: () => pool.close(),
    }
    blsJobs = 0
    relay = await createRelay(
      {
        listen: ['/ip4/127.0.0.1/tcp/0/ws'],
        dataDir: message.dataDir,
        deployments: [{ chainId: message.chainId, attestationCenter: message.attestationCenter }],
        voteChecks: message.voteChecks,
        // every role process dials it within seconds, all from 127.0.0.1
        inboundConnectionThreshold: 1000,
        ...(message.federateWith ? { peers: message.federateWith } : {}),
      },
      { directory, definitions: directory, outcomes: directory, verifier, logger: logger.child('relay') },
    )
    closers.unshift(() => relay!.stop())
    send({ type: 'ready', peerIds: [relay.peerId], multiaddrs: relay.getMultiaddrs(), blsBackend })
    return
  }
  // the attesters of one process share one verifier pool (one worker thread), as operators hosted
  // together would: a pool per node is a worker thread per node, idle most of the time
  const verifier = message.role === 'attester' ? createNodeVerifierPool({ workers: 1 }) : undefined
  if (verifier !== undefined) closers.push(() => verifier.close())
  const light = message.light
  const chainCache = message.shareChain ? await sharedChainCache(message.nodes[0]!.operator) : undefined
  if (chainCache !== undefined) closers.push(async () => chainCache.close())
  for (const spec of message.nodes) {
    const node = await startWispNode(
      { name: spec.name, keys: keysFromEcdsa(spec.ecdsaKey, spec.blsKey), operator: spec.operator },
      {
        logger,
        ...(verifier ? { verifier } : {}),
        ...(chainCache ? { chainCache } : {}),
        ...(light
          ? {
              createNetwork: (options, network) =>
                createEdgePeer({ ...options, relayTarget: light.relayTarget }, network),
            }
          : {}),
      },
    )
    nodes.push(node)
    closers.unshift(() => node.stop())
    if (light) {
      // the time each connection is made, taken here: the parent's questions may wait on a busy loop
      const at = new Map<string, number>()
      connectedAt.set(node.network.peerId, at)
      node.network.libp2p.addEventListener('peer:connect', (e) => at.set(e.detail.toString(), Date.now()))
    }
    if (message.role === 'aggregator') {
      node.engine.events.on('task:copied', (e) => send({ type: 'copied', taskHash: e.taskHash }))
      node.engine.events.on('submission:sent', (e) =>
        send({ type: 'submitted', taskHash: e.taskHash, attesters: e.attesterIds.length, txHash: e.txHash }),
      )
    }
  }
  send({
    type: 'ready',
    peerIds: nodes.map((n) => n.network.peerId),
    multiaddrs: [],
    blsBackend,
    ...(nodes[0]?.jsonRpc ? { jsonRpc: nodes[0].jsonRpc.url } : {}),
  })
}

process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'start':
      start(message).catch((err: unknown) => {
        send({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
      })
      return
    case 'cpu': {
      if (message.profile !== undefined) profile(message.profile)
      const usage = process.cpuUsage()
      send({
        type: 'cpu',
        id: message.id,
        userUs: usage.user,
        systemUs: usage.system,
        rssBytes: process.memoryUsage.rss(),
        ...(blsJobs !== undefined ? { blsJobs } : {}),
      })
      return
    }
    case 'gossip': {
      const asked = new Set(message.peers)
      void Promise.all(
        relay
          ? message.peers.map((peer) => gossipView(relay!, peer))
          : nodes.filter((n) => asked.has(n.network.peerId)).map((n) => gossipView(n.network, message.relay)),
      ).then((views) => send({ type: 'gossip', id: message.id, views }))
      return
    }
    case 'relays':
      send({
        type: 'relays',
        id: message.id,
        nodes: nodes.map((n) => {
          const connected = (n.network as Partial<LightNetwork>).relays?.().connected ?? []
          const at = connectedAt.get(n.network.peerId)
          return {
            peerId: n.network.peerId,
            connected,
            connectedAt: Object.fromEntries(connected.map((relay) => [relay, at?.get(relay) ?? 0])),
          }
        }),
      })
      return
    case 'mesh':
      send({
        type: 'mesh',
        id: message.id,
        // subscribers: with many peers a node's mesh need not include the relay
        peers: {
          task: relay?.topicPeers('task') ?? [],
          attestation: relay?.topicPeers('attestation') ?? [],
          taskSubmitted: relay?.topicPeers('taskSubmitted') ?? [],
        },
        connected: [...new Set(relay?.connections().map((c) => c.peerId) ?? [])],
      })
      return
  }
})

/** One chain cache for the nodes of this process, read as their operator config says (all alike). */
async function sharedChainCache(operator: OperatorConfig) {
  const client = createPublicClient({
    transport: http(operator.chain.rpcUrls?.[0] ?? operator.chain.rpcUrl),
    pollingInterval: operator.chain.pollingIntervalMs,
  })
  const backend = await createChainBackend(client, {
    attestationCenter: operator.chain.attestationCenter,
    backend: operator.chain.backend,
    fromBlock: BigInt(operator.chain.fromBlock),
  })
  return createChainCache(client, backend, { maxAgeMs: DEFAULT_CACHE_MAX_AGE_MS })
}

/** A V8 CPU profile of the measured tasks only (the parent asks when WISP_BENCH_ROLES_PROFILE is set). */
const session = new Session()
function profile(action: 'start' | { stopTo: string }): void {
  if (action === 'start') {
    session.connect()
    session.post('Profiler.enable', () => session.post('Profiler.start'))
    return
  }
  session.post('Profiler.stop', (err, result) => {
    if (err === null) writeFileSync(action.stopTo, JSON.stringify(result.profile))
    session.disconnect()
  })
}

// the parent going away (or asking) ends the role
const stop = async () => {
  for (const close of closers.splice(0)) await close().catch(() => undefined)
  process.exit(0)
}
process.on('disconnect', () => void stop())
process.on('SIGTERM', () => void stop())
