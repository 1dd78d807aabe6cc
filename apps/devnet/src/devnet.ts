// The local network of `npm start`: anvil, our contracts, a relay, a performer, an aggregator and
// N attesters (different voting powers), both bundled plugins on a schedule, and a readable live
// log of every task: published → votes → on-chain result. Everything stops on Ctrl-C.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { BlsVerifier } from '@wisp/bls'
import { createNodeVerifierPool } from '@wisp/bls/pool/node'
import { createChainDirectory } from '@wisp/chain'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  type LocalNetwork,
  type LocalSlashingConfig,
  startAnvil,
  WAD,
} from '@wisp/contracts/dev'
import { networkFileOf } from '@wisp/deploy'
import { keysFromEcdsa, type NodeLogger, startWispNode, type WispNode, type WispNodeConfig } from '@wisp/node'
import {
  type NetworkFile,
  type OperatorConfig,
  operatorConfigFromNetwork,
  type PackagePluginSpec,
} from '@wisp/operator'
import { randomSeed, type WispNetwork } from '@wisp/p2p'
import { createRelay } from '@wisp/p2p/node'
import { type LocalPriceSource, startLocalPriceSource } from '@wisp/plugin-price-oracle/local-source'
import { createLocalFaucet, DEFAULT_FAUCET_PATH, startWebServer, type WebServer } from '@wisp/web/server'
import { createPublicClient, http } from 'viem'
import { deployDevnetChain } from './chain.js'

type Hex = `0x${string}`

export interface DevnetOptions {
  /** state of this run (node databases, relay peer store, devnet.json); wiped at start */
  dataDir: string
  /** voting power of each Node attester, in whole units (×1e18 on chain) */
  attesterPowers: number[]
  performerPower: number
  /** 0 = pick free ports (tests) */
  ports: { anvil: number; relay: number; jsonRpc: number; metrics: number; priceSource: number; web: number }
  /** anvil seconds per block: round robin moves one slot per block */
  blockTimeSeconds: number
  hashChainIterations: number
  /** start the performer's schedule (tests drive tasks themselves when false) */
  schedule: boolean
  /** new performer tasks (one per plugin) every this many blocks, when `schedule` is on */
  scheduleEveryBlocks: number
  /** registered operators no node runs: keys in devnet.json, for edge workers and tests */
  spareOperators: number
  /** serve the web attester (builds it first when dist/ is missing) */
  web: boolean
  /** the aggregator's wait after reaching the threshold (Othentic's --delay) */
  aggregatorDelayMs: number
  /** blocks per leader slot (round robin) */
  roundRobinInterval: number
  /** how many blocks back attesters accept the performer's election */
  electionWindowBlocks: number
  /** the live log prints task and transaction hashes in full */
  fullHashes: boolean
}

export const DEFAULT_DEVNET_OPTIONS: DevnetOptions = {
  dataDir: '.wisp/devnet',
  attesterPowers: [40, 30, 20, 10],
  performerPower: 10,
  ports: { anvil: 8545, relay: 9090, jsonRpc: 8546, metrics: 9464, priceSource: 8081, web: 5173 },
  blockTimeSeconds: 1,
  hashChainIterations: 2000,
  schedule: true,
  roundRobinInterval: 1,
  electionWindowBlocks: 16,
  aggregatorDelayMs: 500,
  scheduleEveryBlocks: 3,
  fullHashes: false,
  spareOperators: 0,
  web: true,
}

export interface Devnet {
  readonly options: DevnetOptions
  readonly anvil: Anvil
  readonly chain: LocalNetwork
  /** the current relay (replaced by restartRelay) */
  readonly relay: WispNetwork
  /** stops the relay and starts it again on the same address and peer id (tests of reconnection) */
  restartRelay(options?: { downMs?: number }): Promise<WispNetwork>
  readonly priceSource: LocalPriceSource
  /** the current nodes (replaced by restartNode) */
  readonly performer: WispNode
  readonly aggregator: WispNode
  readonly attesters: WispNode[]
  /**
   * Stops a node, waits `downMs`, starts it again from `configOf(name)` on the same data
   * directory (and the same JSON-RPC and metrics ports), waits until the relay has it in every
   * topic's mesh, and makes it the devnet's node of that name. Resolves to the new node.
   */
  restartNode(name: string, options?: { downMs?: number }): Promise<WispNode>
  readonly taskDefinitions: { hashChain: number; priceOracle: number }
  readonly web: WebServer | undefined
  /** what a client (the web attester, the e2e tests) needs to join */
  readonly info: DevnetInfo
  /**
   * The network file, as `wisp deploy` writes it (contracts, definitions with their plugins, this
   * run's relay, the faucet). Written to `<dataDir>/network.json`.
   */
  readonly networkFile: NetworkFile
  /**
   * The network's operator config, derived from the network file: what every node, browser and
   * edge worker of this network reads (each with its own roles and key). Written to
   * `<dataDir>/operator-config.json`.
   */
  readonly networkConfig: OperatorConfig
  /** the config a node was started with, to restart it on the same data directory */
  configOf(name: string): WispNodeConfig
  stop(): Promise<void>
}

export interface DevnetInfo {
  rpcUrl: string
  chainId: number
  attestationCenter: Hex
  registry: Hex
  relay: string[]
  jsonRpc: string
  priceSource: string
  taskDefinitions: { hashChain: number; priceOracle: number }
  hashChainIterations: number
  /** the only operators that are elected performer */
  performerIds: number[]
  operators: Array<{ name: string; id: number; address: Hex; votingPower: string }>
  /** registered operators no node runs (local dev keys: never use them elsewhere) */
  spares: Array<{ id: number; address: Hex; ecdsaKey: Hex; blsSecretKey: Hex; votingPower: string }>
  web?: string
  /** the network's operator config file (every runtime can start from it: `--config`) */
  networkConfigPath: string
  /** the network file (`wisp attester --network` it) */
  networkFilePath: string
  /** what the contracts punish and pay on this network (see DEVNET_SLASHING) */
  slashing: {
    doubleAttestation: LocalSlashingConfig
    /** paid to whoever proves a slashable offence (WRWD, in wei) */
    challengerRewardFee: string
  }
}

/**
 * Slashing on the local network: a double attestation (an operator's BLS votes for both
 * verdicts of one task) costs 10 % of its stake, without ejection, and whoever files the proof
 * (the aggregator's watchtower) is paid 1 WRWD from the AVS treasury.
 */
export const DEVNET_SLASHING = {
  doubleAttestation: { enabled: true, stakePercentageBps: 1000, eject: false } satisfies LocalSlashingConfig,
  challengerRewardFee: WAD,
} as const

/**
 * The relay checks announced TaskSubmitted messages against the transaction's receipt, waiting
 * at most this long for it. Public chains need seconds (the default is 12 s: a block and some
 * propagation); anvil mines a submission before the aggregator even announces it, so a receipt
 * that is not there within 2 s never will be, and a false announcement is rejected quickly.
 */
export const DEVNET_OUTCOME_WINDOW_MS = 2000

/** The bundled plugins with the devnet's configuration, as the operator config names them. */
export function devnetPlugins(
  definitions: { hashChain: number; priceOracle: number },
  priceSource: { host: string; url: string },
  hashChainIterations: number,
): PackagePluginSpec[] {
  return [
    {
      package: '@wisp/plugin-hash-chain',
      taskDefinitionIds: [definitions.hashChain],
      config: { iterations: hashChainIterations },
    },
    {
      package: '@wisp/plugin-price-oracle',
      taskDefinitionIds: [definitions.priceOracle],
      hosts: [priceSource.host],
      config: {
        pair: 'ETH/USD',
        sources: [{ name: 'local', url: priceSource.url, path: 'price' }],
        minSources: 1,
        tolerancePercent: 1,
        maxAgeMs: 120_000,
        decimals: 2,
      },
    },
  ]
}

export async function startDevnet(
  partial: Partial<DevnetOptions>,
  components: { logger: NodeLogger; print: (line: string) => void },
): Promise<Devnet> {
  const options: DevnetOptions = {
    ...DEFAULT_DEVNET_OPTIONS,
    ...partial,
    ports: { ...DEFAULT_DEVNET_OPTIONS.ports, ...partial.ports },
  }
  const { logger, print } = components
  const started: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const stop of started.reverse())
      await stop().catch((err) => logger.warn('stop failed', { error: (err as Error).message }))
  }
  try {
    await rm(options.dataDir, { recursive: true, force: true })
    await mkdir(options.dataDir, { recursive: true })

    const anvil = await startAnvil({ port: options.ports.anvil, blockTime: options.blockTimeSeconds })
    started.push(() => anvil.stop())
    // the price oracle's source first: its URL is part of the definitions' plugin configs
    const priceSource = await startLocalPriceSource({ port: options.ports.priceSource })
    started.push(() => priceSource.close())
    // plugin configs by definition name (ids are the deployment's; devnetPlugins keys them by id)
    const [hashChainPlugin, priceOraclePlugin] = devnetPlugins(
      { hashChain: 0, priceOracle: 0 },
      priceSource,
      options.hashChainIterations,
    )
    const pluginRef = ({ taskDefinitionIds: _ids, config, ...plugin }: PackagePluginSpec) => ({
      plugin,
      config,
    })
    // deployed with `wisp deploy`'s code; operators funded and registered as on a real chain
    const deployed = await deployDevnetChain({
      rpcUrl: anvil.rpcUrl,
      dataDir: options.dataDir,
      // spare operators get the voting power the faucet gives a browser (10 WAD of stake)
      powers: [
        options.performerPower,
        ...options.attesterPowers,
        ...Array<number>(options.spareOperators).fill(10),
      ],
      // rewards per task (WRWD, 18 decimals), so attesters see fees accrue on the dashboard
      taskDefinitions: [
        { name: 'hash-chain', ...pluginRef(hashChainPlugin!) },
        { name: 'price-oracle', ...pluginRef(priceOraclePlugin!) },
      ].map((d) => ({
        ...d,
        rewards: { attesters: WAD / 100n, performer: WAD / 50n, aggregator: WAD / 200n },
      })),
      slashing: DEVNET_SLASHING,
      // the web attester's faucet (same origin as the app; Node and edge ignore it): it funds, the
      // operator then registers from its wallet
      ...(options.web ? { faucetUrl: DEFAULT_FAUCET_PATH.replace(/^\//, '') } : {}),
      operatorEth: 10n * WAD,
      pollingIntervalMs: 100,
    })
    const chain = deployed.network
    const taskDefinitions = {
      hashChain: chain.taskDefinitions.find((d) => d.name === 'hash-chain')!.id,
      priceOracle: chain.taskDefinitions.find((d) => d.name === 'price-oracle')!.id,
    }

    // a fixed seed for this run, so a restarted relay keeps its peer id and address
    const relaySeed = randomSeed()
    const relayPort = options.ports.relay === 0 ? await freeTcpPort() : options.ports.relay
    // The relay validates like an operator (chain mode): operators, definitions and announced
    // outcomes come from the contracts, signatures are checked. A structural relay would forward
    // forged votes, and every node would then score the relay itself down for them.
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 250 })
    const relayChain = createChainDirectory(
      { attestationCenter: chain.contracts.attestationCenter, outcomeWindowMs: DEVNET_OUTCOME_WINDOW_MS },
      { publicClient },
    )
    const relayVerifier: BlsVerifier = createNodeVerifierPool({ workers: 1 })
    started.push(() => relayVerifier.close())
    const startRelay = () =>
      createRelay(
        {
          listen: [`/ip4/127.0.0.1/tcp/${relayPort}/ws`],
          seed: relaySeed,
          dataDir: join(options.dataDir, 'relay'),
          deployments: [{ chainId: chain.chainId, attestationCenter: chain.contracts.attestationCenter }],
        },
        {
          logger: logger.child('relay'),
          directory: relayChain,
          definitions: relayChain,
          outcomes: relayChain,
          verifier: relayVerifier,
        },
      )
    let relay = await startRelay()
    started.push(() => relay.stop())
    const bootstrap = relay.getMultiaddrs()
    const port = (base: number, offset: number) => (base === 0 ? 0 : base + offset)
    const nodeOperators = chain.operators.slice(0, 1 + options.attesterPowers.length)
    const spares = chain.operators.slice(1 + options.attesterPowers.length)
    // One designated performer: browsers and edge workers that join as operators attest, they do not perform.
    const performerIds = [chain.operators[0]!.id]
    // The network file, as `wisp deploy` writes it (with this run's relay), and the one operator
    // config of this network derived from it: Node nodes, browsers and edge workers start from it.
    const networkFile = networkFileOf(deployed.plan, deployed.deployment, {
      rpcUrls: [anvil.rpcUrl],
      relays: bootstrap,
    })
    const networkFilePath = join(options.dataDir, 'network.json')
    await writeFile(networkFilePath, `${JSON.stringify(networkFile, null, 2)}\n`)
    const networkConfig = operatorConfigFromNetwork(networkFile, {
      config: {
        chain: { pollingIntervalMs: 250, outcomeWindowMs: DEVNET_OUTCOME_WINDOW_MS },
        election: {
          windowBlocks: options.electionWindowBlocks,
          roundRobinInterval: options.roundRobinInterval,
          performerIds,
        },
        aggregator: { delayMs: options.aggregatorDelayMs },
      },
    })
    const networkConfigPath = join(options.dataDir, 'operator-config.json')
    await writeFile(networkConfigPath, `${JSON.stringify(networkConfig, null, 2)}\n`)
    const nodeConfig = (name: string, patch: Partial<OperatorConfig>): OperatorConfig => ({
      ...networkConfig,
      ...patch,
      dataDir: join(options.dataDir, name),
    })

    const configs = new Map<string, WispNodeConfig>()
    /** the running node of each name (restartNode replaces entries) */
    const nodes = new Map<string, WispNode>()
    const start = async (config: WispNodeConfig) => {
      configs.set(config.name, config)
      const node = await startWispNode(config, { logger })
      nodes.set(config.name, node)
      return node
    }
    const current = (name: string) => nodes.get(name)!
    const [performerOp, ...attesterOps] = nodeOperators
    const performer = await start({
      name: 'performer',
      keys: keysFromEcdsa(performerOp!.ecdsaKey, performerOp!.blsSecretKey),
      operator: nodeConfig('performer', {
        roles: ['performer'],
        performer: {
          ...networkConfig.performer,
          taskDefinitionIds: [taskDefinitions.hashChain, taskDefinitions.priceOracle],
          everyBlocks: options.schedule ? options.roundRobinInterval : 0,
        },
        metrics: { port: port(options.ports.metrics, 0), host: '127.0.0.1' },
      }),
    })
    started.push(() => current('performer').stop())
    const aggregator = await start({
      name: 'aggregator',
      // open aggregation: the aggregator pays gas but needs no stake
      keys: keysFromEcdsa(ANVIL_DEV_KEYS[1] as Hex),
      // a short window after the threshold (networkConfig.aggregator) so late votes still make it in
      operator: nodeConfig('aggregator', {
        roles: ['aggregator'],
        jsonRpc: { port: options.ports.jsonRpc, host: '127.0.0.1' },
        metrics: { port: port(options.ports.metrics, 1), host: '127.0.0.1' },
      }),
    })
    started.push(() => current('aggregator').stop())
    const attesters: WispNode[] = []
    for (const [i, op] of attesterOps.entries()) {
      const name = `attester-${op.id}`
      const node = await start({
        name,
        keys: keysFromEcdsa(op.ecdsaKey, op.blsSecretKey),
        operator: nodeConfig(name, {
          roles: ['attester'],
          metrics: { port: port(options.ports.metrics, 2 + i), host: '127.0.0.1' },
        }),
      })
      attesters.push(node)
      started.push(() => current(name).stop())
    }

    await waitForMesh(
      relay,
      [performer, aggregator, ...attesters].map((n) => n.network.peerId),
    )

    let web: WebServer | undefined
    if (options.web) {
      web = await startWebServer({
        port: options.ports.web,
        // the page loads network.json as it is, at /wisp-config.json
        config: networkConfig,
        faucet: {
          handler: createLocalFaucet({
            rpcUrl: anvil.rpcUrl,
            stakeToken: chain.contracts.stakeToken,
            funderKey: ANVIL_DEV_KEYS[0] as Hex,
            stake: 10n * WAD,
          }),
        },
        onError: (error) => logger.warn('web faucet failed', { error: error.message }),
      })
      started.push(() => web!.close())
    }

    const info: DevnetInfo = {
      rpcUrl: anvil.rpcUrl,
      chainId: chain.chainId,
      attestationCenter: chain.contracts.attestationCenter,
      registry: chain.contracts.registry,
      relay: bootstrap,
      jsonRpc: aggregator.jsonRpc!.url,
      priceSource: priceSource.url,
      taskDefinitions,
      hashChainIterations: options.hashChainIterations,
      performerIds,
      spares: spares.map((op) => ({
        id: op.id,
        address: op.address,
        ecdsaKey: op.ecdsaKey,
        blsSecretKey: op.blsSecretKey,
        votingPower: String(op.votingPower / WAD),
      })),
      ...(web ? { web: web.url } : {}),
      networkConfigPath,
      networkFilePath,
      slashing: {
        doubleAttestation: DEVNET_SLASHING.doubleAttestation,
        challengerRewardFee: String(DEVNET_SLASHING.challengerRewardFee),
      },
      operators: [
        {
          name: 'performer',
          id: performerOp!.id,
          address: performerOp!.address,
          votingPower: String(performerOp!.votingPower / WAD),
        },
        ...attesterOps.map((op) => ({
          name: `attester-${op.id}`,
          id: op.id,
          address: op.address,
          votingPower: String(op.votingPower / WAD),
        })),
      ],
    }
    await writeFile(join(options.dataDir, 'devnet.json'), `${JSON.stringify(info, null, 2)}\n`)
    const operatorNames = new Map<number, string>([
      [performerOp!.id, 'performer'],
      ...attesterOps.map((op) => [op.id, `attester-${op.id}`] as const),
      ...spares.map((op) => [op.id, `spare-${op.id}`] as const),
    ])
    const taskLog = watchTasks({ taskDefinitions, operatorNames }, print, { fullHashes: options.fullHashes })
    taskLog.performer(performer)
    taskLog.aggregator(aggregator)
    for (const node of attesters) taskLog.attester(node)
    const attesterNames = attesters.map((node) => node.name)
    return {
      options,
      anvil,
      chain,
      get relay() {
        return relay
      },
      async restartRelay(restart = {}) {
        await relay.stop()
        await new Promise((resolve) => setTimeout(resolve, restart.downMs ?? 0))
        relay = await startRelay()
        return relay
      },
      priceSource,
      get performer() {
        return current('performer')
      },
      get aggregator() {
        return current('aggregator')
      },
      get attesters() {
        return attesterNames.map(current)
      },
      async restartNode(name, restart = {}) {
        const old = nodes.get(name)
        const config = configs.get(name)
        if (old === undefined || config === undefined) throw new Error(`no node named ${name}`)
        await old.stop()
        await new Promise((resolve) => setTimeout(resolve, restart.downMs ?? 0))
        // the same ports as before, also when they were picked at random (port 0): clients such
        // as sendSignedTask keep using devnet.info.jsonRpc
        const boundPort = (url: string | undefined) => (url === undefined ? 0 : Number(new URL(url).port))
        const operator = { ...config.operator }
        if (operator.jsonRpc && operator.jsonRpc.port === 0)
          operator.jsonRpc = { ...operator.jsonRpc, port: boundPort(old.jsonRpc?.url) }
        if (operator.metrics && operator.metrics.port === 0)
          operator.metrics = { ...operator.metrics, port: boundPort(old.metrics?.url) }
        const node = await startWispNode({ ...config, operator }, { logger })
        nodes.set(name, node)
        if (name === 'performer') taskLog.performer(node)
        else if (name === 'aggregator') taskLog.aggregator(node)
        else taskLog.attester(node)
        await waitForMesh(relay, [node.network.peerId])
        return node
      },
      taskDefinitions,
      web,
      info,
      networkFile,
      networkConfig,
      configOf: (name) => {
        const config = configs.get(name)
        if (config === undefined) throw new Error(`no node named ${name}`)
        return config
      },
      stop: stopAll,
    }
  } catch (err) {
    await stopAll()
    throw err
  }
}

/**
 * The live log: one line per step of each task, with a timestamp and the task hash (short, or in
 * full with `fullHashes`): published → every attester's vote as the aggregator receives it
 * (browsers and edge workers too), with reasons for rejects and abstentions the local attesters
 * give → the on-chain result.
 */
function watchTasks(
  nodes: {
    taskDefinitions: { hashChain: number; priceOracle: number }
    operatorNames: Map<number, string>
  },
  print: (line: string) => void,
  options: { fullHashes: boolean },
): { performer(node: WispNode): void; aggregator(node: WispNode): void; attester(node: WispNode): void } {
  const hash = (hex: string) => (options.fullHashes ? hex : `${hex.slice(0, 10)}…`)
  const time = () => new Date().toISOString().slice(11, 23)
  const out = (kind: string, line: string) => print(`${time()} ${kind.padEnd(5)} ${line}`)
  const name = (id: number) =>
    id === nodes.taskDefinitions.hashChain
      ? 'hash-chain'
      : id === nodes.taskDefinitions.priceOracle
        ? 'price-oracle'
        : `def ${id}`
  const operator = (id: number) => nodes.operatorNames.get(id) ?? `operator-${id}`
  // reasons the local attesters gave, shown with their vote as the aggregator receives it
  const reasons = new Map<string, string>()
  const performer = (node: WispNode) => {
    node.engine.events.on('task:performed', (e) =>
      out(
        'task',
        `${hash(e.taskHash)} ${name(e.taskDefinitionId).padEnd(12)} proof=${e.proofOfTask.slice(0, 18)} → ${e.recipients} peer(s)`,
      ),
    )
    node.engine.events.on('task:perform-failed', (e) =>
      out('task', `failed to perform ${name(e.taskDefinitionId)}: ${e.reason}`),
    )
  }
  const attester = (node: WispNode) => {
    node.engine.events.on('vote:decided', (e) => {
      if (e.verdict.kind === 'reject') reasons.set(`${e.taskHash}|${node.name}`, e.verdict.reason)
      if (e.verdict.kind === 'abstain')
        out('vote', `${hash(e.taskHash)} ${node.name.padEnd(14)} abstain (${e.verdict.reason})`)
    })
  }
  const aggregator = (node: WispNode) => {
    const agg = node.engine.events
    agg.on('attestation:received', (e) => {
      const who = operator(e.operatorId)
      const reason = reasons.get(`${e.taskHash}|${who}`)
      reasons.delete(`${e.taskHash}|${who}`)
      out(
        'vote',
        `${hash(e.taskHash)} ${who.padEnd(14)} ${e.isApproved ? 'approve' : `REJECT${reason ? ` (${reason})` : ''}`}`,
      )
    })
    agg.on('attestation:dropped', (e) => {
      if (e.operatorId !== undefined) out('vote', `dropped ${operator(e.operatorId)}'s vote: ${e.reason}`)
    })
    agg.on('submission:sent', (e) =>
      out(
        'chain',
        `${hash(e.taskHash)} ${e.event === 'TaskSubmitted' ? 'TaskSubmitted' : 'TaskRejected '} tx=${hash(e.txHash)} attesters=[${e.attesterIds.map(operator).join(', ')}]`,
      ),
    )
    agg.on('submission:failed', (e) =>
      out(
        'chain',
        `${hash(e.taskHash)} submission failed (${e.code}, attempt ${e.attempt}${e.final ? ', giving up' : ''}): ${e.message.split('\n')[0]}`,
      ),
    )
  }
  return { performer, attester, aggregator }
}

/**
 * gossipsub grafts peers into a topic's mesh on its heartbeat: until then a publish can reach
 * nobody. The network is ready when the relay has every node in the mesh of every topic the node
 * subscribes to: every node takes tasks and outcomes; a light attester leaves the votes topic
 * (operator config p2p.receiveVotes), and a node announces all its subscriptions at once, so one
 * in the task mesh has said whether it takes votes.
 */
export async function waitForMesh(relay: WispNetwork, peerIds: string[], timeoutMs = 60_000): Promise<void> {
  const kinds = ['task', 'attestation', 'taskSubmitted'] as const
  const expected = (k: (typeof kinds)[number], id: string) =>
    k !== 'attestation' || relay.topicPeers('attestation').includes(id)
  const absent = (k: (typeof kinds)[number]) =>
    peerIds.filter((id) => expected(k, id) && !relay.meshPeers(k).includes(id))
  const started = Date.now()
  while (kinds.some((k) => absent(k).length > 0)) {
    if (Date.now() - started > timeoutMs) {
      // who is missing where, with the relay's score of them (a peer scored below zero is not grafted)
      const missing = kinds.flatMap((k) =>
        absent(k).map((id) => `${k}:${id.slice(-8)}(score ${relay.score(id).toFixed(1)})`),
      )
      throw new Error(`the local network did not form its gossip mesh in time; missing ${missing.join(', ')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
