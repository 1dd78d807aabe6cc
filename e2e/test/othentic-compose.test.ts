// Othentic's example compose file, run on Wisp (issue 12): the aggregator and three attesters start
// as separate processes with the command lines and environment of examples/othentic-compose/
// docker-compose.yml, through the image's entrypoint (`node packages/node/dist/cli.js`, the built
// CLI the Dockerfile runs). No container engine runs on these machines, so the compose file is read
// here and its services are started on loopback, as its own containers would run them:
// - the containers' addresses (10.8.0.69, 10.8.0.42) become 127.0.0.1;
// - each container has its own ports; on one loopback the three attesters would all take p2p 9876
//   and metrics 6060, so each attester gets `--p2p.port` and `--metrics.port` of its own appended
//   (the aggregator keeps Othentic's defaults: 9876, 8545, 6060);
// - each service's working directory is a directory of its own (the image's /data volume), and
//   LOG_DIR (/logs in the file) one of its own.
// The chain is anvil with our Othentic-shaped test contracts. The validation service is the
// example's own (examples/othentic-compose/validation-service, port 4002, given as
// `--avs-webapi http://10.8.0.42`); the execution service sends BLS-signed tasks through ethers'
// JsonRpcProvider, which asks eth_chainId before anything else.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SecretKey } from '@wisp/bls'
import { getTaskEvents, type TaskOutcomeEvent } from '@wisp/chain'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployOthenticShapedNetwork,
  type OthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { peerIdFromSeed } from '@wisp/p2p'
import { buildSendTaskParams, DOMAIN_TASKS, type TaskInfo, taskHash } from '@wisp/protocol'
import { waitFor } from '@wisp/test-utils'
import { JsonRpcProvider } from 'ethers'
import { createPublicClient, type Hex, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('../../', import.meta.url))
const example = join(root, 'examples', 'othentic-compose')
/**
 * the Dockerfile's ENTRYPOINT, run from the checkout's built dist/; WISP_NODE_ENTRYPOINT points it
 * at another tree, e.g. one laid out by the Dockerfile's steps (built, pruned, sources removed)
 */
const entrypoint = process.env.WISP_NODE_ENTRYPOINT ?? join(root, 'packages', 'node', 'dist', 'cli.js')
const E = 10n ** 18n
const SEED = `0x${'5e'.repeat(32)}`
const DEFINITION = 1
// anvil's dev accounts 1..5: the performer (execution service), the aggregator, three attesters.
// The attesters hold the power: all three pass 2/3 of 32, two pass the 1/3 that rejects.
const KEYS = ANVIL_DEV_KEYS.slice(1, 6) as Hex[]
const POWERS = [1n, 1n, 10n, 10n, 10n].map((p) => p * E)
const NODE_SERVICES = ['aggregator', 'attester-1', 'attester-2', 'attester-3'] as const
type NodeService = (typeof NODE_SERVICES)[number]

interface ComposeService {
  command: string[]
  environment: Record<string, string>
}

/** The compose file's services, with ${VAR} and ${VAR:-default} filled from `vars`. */
function readCompose(vars: Record<string, string>): Record<string, ComposeService> {
  const substitute = (text: string) =>
    text.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const value = vars[name]
      if (value !== undefined && value !== '') return value
      if (fallback !== undefined) return fallback
      throw new Error(`the compose file needs ${name}`)
    })
  const file = parse(readFileSync(join(example, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string | number> }>
  }
  return Object.fromEntries(
    Object.entries(file.services).map(([name, s]) => [
      name,
      {
        command: (s.command ?? []).map(substitute),
        environment: Object.fromEntries(
          Object.entries(s.environment ?? {}).map(([k, v]) => [k, substitute(String(v))]),
        ),
      },
    ]),
  )
}

/** A container's addresses on the compose network → loopback. */
const toLoopback = (arg: string) =>
  arg.replaceAll('10.8.0.69', '127.0.0.1').replaceAll('10.8.0.42', '127.0.0.1')

interface Running {
  child: ChildProcess
  output: string[]
}

let anvil: Anvil
let net: OthenticShapedNetwork
let services: Record<string, ComposeService>
let validation: ChildProcess | undefined
const dir = mkdtempSync(join(tmpdir(), 'wisp-othentic-compose-'))
const running = new Map<NodeService, Running>()
const freePorts = new Map<NodeService, { p2p: number; metrics: number }>()

function serviceDir(service: string, sub: 'data' | 'logs'): string {
  const path = join(dir, service, sub)
  mkdirSync(path, { recursive: true })
  return path
}

function logOf(service: NodeService, role: string): string {
  const path = join(serviceDir(service, 'logs'), `${role}.log`)
  return existsSync(path) ? readFileSync(path, 'utf8') : ''
}

function start(service: NodeService): Running {
  const spec = services[service]!
  const command = spec.command.map(toLoopback)
  const ports = freePorts.get(service)
  // the one change for a shared loopback (see the header): ports of its own per attester
  if (ports) command.push('--p2p.port', String(ports.p2p), '--metrics.port', String(ports.metrics))
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    ...spec.environment,
    LOG_DIR: serviceDir(service, 'logs'),
  }
  const child = spawn(process.execPath, [entrypoint, ...command], {
    cwd: serviceDir(service, 'data'),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()))
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()))
  const r = { child, output }
  running.set(service, r)
  return r
}

async function stop(service: NodeService): Promise<void> {
  const r = running.get(service)
  if (!r || r.child.exitCode !== null) return
  const exited = new Promise((resolve) => r.child.once('exit', resolve))
  r.child.kill('SIGTERM')
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(timer)
}

/** The peer ids a role logged at each start (`operator started … peerId=…`), in its LOG_DIR file. */
function startedPeerIds(service: NodeService): string[] {
  const role = service === 'aggregator' ? 'aggregator' : 'attester'
  return [...logOf(service, role).matchAll(/operator started .*peerId=(\S+)/g)].map((m) => m[1]!)
}
const lastPeerId = (service: NodeService) => startedPeerIds(service).at(-1)

async function startAll(): Promise<void> {
  const starts = new Map(NODE_SERVICES.map((s) => [s, startedPeerIds(s).length]))
  for (const service of NODE_SERVICES) start(service)
  await waitFor(
    'the aggregator and three attesters to start',
    () =>
      NODE_SERVICES.every(
        (s) => startedPeerIds(s).length > starts.get(s)! && running.get(s)?.child.exitCode === null,
      ),
    { timeoutMs: 90_000, context: describeProcesses },
  )
}

async function describeProcesses(): Promise<string> {
  return NODE_SERVICES.map((s) => {
    const r = running.get(s)
    return `--- ${s} (exit ${r?.child.exitCode}) ---\n${(r?.output.join('') ?? '').slice(-2500)}`
  }).join('\n')
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const { makeTask } = (await import(pathToFileURL(join(example, 'task.mjs')).href)) as {
  makeTask: (n: number) => { data: Hex; proofOfTask: string }
}
let counter = 0

/** The execution service: a task signed with the performer's BLS key, sent through ethers. */
async function executeTask(options: { wrongProof?: boolean } = {}): Promise<TaskInfo> {
  const performer = net.operators[0]!
  const made = makeTask(++counter)
  const task: TaskInfo = {
    proofOfTask: options.wrongProof ? `${made.proofOfTask.slice(0, -4)}0000` : made.proofOfTask,
    data: made.data,
    taskPerformer: performer.address,
    taskDefinitionId: DEFINITION,
  }
  const [x, y] = SecretKey.fromBytes(performer.blsSecretKey).sign(DOMAIN_TASKS, taskHash(task)).toEvm()
  const provider = new JsonRpcProvider('http://127.0.0.1:8545')
  try {
    const hash = await provider.send(
      'sendTask',
      buildSendTaskParams({ task, signature: { type: 'bls', signature: { x, y } } }),
    )
    expect(hash).toBe(taskHash(task))
  } finally {
    provider.destroy()
  }
  return task
}

async function outcomeOf(task: TaskInfo): Promise<TaskOutcomeEvent | undefined> {
  const client = createPublicClient({ transport: http(anvil.rpcUrl) })
  const events = await getTaskEvents(client, {
    attestationCenter: net.contracts.attestationCenter,
    fromBlock: net.startBlock,
  })
  return events.find((e) => e.proofOfTask === task.proofOfTask)
}

/**
 * Sends tasks until one reaches the chain: the first may be sent before the attesters' gossip mesh
 * has formed around the bootstrap (a task nobody hears is simply not attested). Returns that one.
 */
async function executeUntilOutcome(options: { wrongProof?: boolean } = {}) {
  let found: { task: TaskInfo; event: TaskOutcomeEvent } | undefined
  const sent: TaskInfo[] = []
  await waitFor(
    'a task sent through the aggregator to reach the chain',
    async () => {
      sent.push(await executeTask(options))
      const deadline = Date.now() + 8000
      while (Date.now() < deadline) {
        for (const task of sent) {
          const event = await outcomeOf(task)
          if (event) {
            found = { task, event }
            return true
          }
        }
        await new Promise((r) => setTimeout(r, 250))
      }
      return false
    },
    { timeoutMs: 90_000, context: describeProcesses },
  )
  return found!
}

beforeAll(async () => {
  anvil = await startAnvil()
  net = await deployOthenticShapedNetwork({
    rpcUrl: anvil.rpcUrl,
    eventVersion: 2,
    operators: KEYS.map((ecdsaKey, i) => ({ ecdsaKey, votingPower: POWERS[i]! })),
    taskDefinitions: [{ name: 'example' }],
  })
  services = readCompose({
    L1_RPC: anvil.rpcUrl,
    L1_CHAIN: 'anvil',
    L2_RPC: anvil.rpcUrl,
    L2_CHAIN: 'anvil',
    AVS_GOVERNANCE_ADDRESS: `0x${'00'.repeat(19)}01`,
    ATTESTATION_CENTER_ADDRESS: net.contracts.attestationCenter,
    OTHENTIC_BOOTSTRAP_SEED: SEED,
    OTHENTIC_BOOTSTRAP_ID: await peerIdFromSeed(SEED),
    PRIVATE_KEY_PERFORMER: KEYS[0]!,
    PRIVATE_KEY_AGGREGATOR: KEYS[1]!,
    PRIVATE_KEY_ATTESTER1: KEYS[2]!,
    PRIVATE_KEY_ATTESTER2: KEYS[3]!,
    PRIVATE_KEY_ATTESTER3: KEYS[4]!,
  })
  for (const s of ['attester-1', 'attester-2', 'attester-3'] as const)
    freePorts.set(s, { p2p: await freePort(), metrics: await freePort() })
  // the example's own validation service, on Othentic's port
  validation = spawn(process.execPath, [join(example, 'validation-service', 'server.mjs')], {
    env: { PATH: process.env.PATH ?? '', PORT: '4002' },
    stdio: 'ignore',
  })
  await waitFor('the validation service on 4002', async () => {
    const r = await fetch('http://127.0.0.1:4002/task/validate', { method: 'POST', body: '{}' }).catch(
      () => undefined,
    )
    return r?.status === 200
  })
  await startAll()
}, 240_000)

afterAll(async () => {
  for (const s of NODE_SERVICES) await stop(s)
  validation?.kill('SIGTERM')
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe("Othentic's example compose file on Wisp", () => {
  it('reads the command lines and environment of the compose file as written', () => {
    expect(services.aggregator!.command).toEqual([
      'run',
      'aggregator',
      '--json-rpc',
      '--internal-tasks',
      '--metrics',
      '--delay',
      '1500',
    ])
    expect(services['attester-1']!.command.slice(0, 5)).toEqual([
      'run',
      'attester',
      expect.stringMatching(/^\/ip4\/10\.8\.0\.69\/tcp\/9876\/p2p\/12D3KooW/),
      '--avs-webapi',
      'http://10.8.0.42',
    ])
    expect(services.aggregator!.environment).toMatchObject({
      PRIVATE_KEY: KEYS[1],
      OTHENTIC_BOOTSTRAP_SEED: SEED,
      L2_CHAIN: 'anvil',
      ATTESTATION_CENTER_ADDRESS: net.contracts.attestationCenter,
    })
  })

  it('the aggregator is the bootstrap node, with the peer id of OTHENTIC_BOOTSTRAP_SEED', async () => {
    expect(lastPeerId('aggregator')).toBe(await peerIdFromSeed(SEED))
  })

  it('a BLS-signed task sent through ethers finalizes with the three attesters (the validation service said true)', async () => {
    const { event } = await executeUntilOutcome()
    expect(event.event).toBe('TaskSubmitted')
    expect(event.performer.toLowerCase()).toBe(net.operators[0]!.address.toLowerCase())
    expect(event.attesterIds).toEqual(expect.arrayContaining([3, 4, 5]))
  })

  it('a task the validation service answers false for ends in TaskRejected', async () => {
    const { event } = await executeUntilOutcome({ wrongProof: true })
    expect(event.event).toBe('TaskRejected')
  })

  it('serves Prometheus metrics under the names of Othentic’s dashboard on 6060', async () => {
    const body = await (await fetch('http://127.0.0.1:6060/metrics')).text()
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_version_info',
      'nodejs_eventloop_lag_seconds',
      'libp2p_connection_manager_connections',
      'gossipsub_msg_received_prevalidation_total',
    ])
      expect(body).toContain(name)
  })

  it('a validation service answering HTTP 500: the attesters abstain, nothing is submitted, and their logs say why', async () => {
    validation?.kill('SIGTERM')
    await new Promise((r) => validation?.once('exit', r))
    const failing: Server = createServer((_req, res) => res.writeHead(500).end('boom'))
    await new Promise<void>((resolve) => failing.listen(4002, '127.0.0.1', resolve))
    try {
      const task = await executeTask()
      for (const s of ['attester-1', 'attester-2', 'attester-3'] as const) {
        await waitFor(
          `${s} to log its abstention on the task with the HTTP status`,
          () =>
            logOf(s, 'attester')
              .split('\n')
              .some((line) => /abstain/i.test(line) && /500/.test(line)),
          { timeoutMs: 30_000, context: describeProcesses },
        )
      }
      // nothing reached the chain for it (three abstentions: no side has a quorum)
      expect(await outcomeOf(task)).toBeUndefined()
    } finally {
      await new Promise((r) => failing.close(r))
    }
  })

  it('every role restarted with the same data directory keeps its peer id, and tasks finalize again', async () => {
    const before = Object.fromEntries(NODE_SERVICES.map((s) => [s, lastPeerId(s)]))
    for (const s of NODE_SERVICES) await stop(s)
    validation = spawn(process.execPath, [join(example, 'validation-service', 'server.mjs')], {
      env: { PATH: process.env.PATH ?? '', PORT: '4002' },
      stdio: 'ignore',
    })
    await startAll()
    const after = Object.fromEntries(NODE_SERVICES.map((s) => [s, lastPeerId(s)]))
    expect(after).toEqual(before)
    expect(new Set(Object.values(after)).size).toBe(NODE_SERVICES.length)
    const { event } = await executeUntilOutcome()
    expect(event.event).toBe('TaskSubmitted')
  })
})
