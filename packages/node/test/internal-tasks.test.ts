// Internal tasks (`aggregator.internalTasks`, Othentic's --internal-tasks) through whole Node
// operators (startWispNode), on anvil with both contract sets: a relay, three attesters and an
// aggregator over libp2p on loopback. A governance change makes chain state stale; with internal
// tasks off nothing is sent, with them on the aggregator performs the internal tasks, the attesters
// check them against the chain and vote, the aggregator submits, and the state is in sync again.
// An attester rejects a forged internal task.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInlineVerifier } from '@wisp/bls'
import { createChainDirectory, createInternalTasks } from '@wisp/chain'
import { operatorRegistryAbi, othenticShapedAttestationCenterAbi } from '@wisp/contracts'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployLocalNetwork,
  deployOthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import { createRelay, type WispNetwork } from '@wisp/p2p/node'
import { type TaskInfo, taskHash } from '@wisp/protocol'
import {
  type Address,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  type Hex,
  http,
  parseAbiParameters,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { createConsoleLogger, keysFromEcdsa, startWispNode, type WispNode } from '../src/index.js'

const E = 10n ** 18n
// operator 1 aggregates (and performs the internal tasks), 2..4 attest
const KEYS = ANVIL_DEV_KEYS.slice(1, 5) as Hex[]
const logger = createConsoleLogger({ level: 'error', write: () => undefined })

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

type Backend = 'wisp' | 'othentic'

interface Net {
  anvil: Anvil
  relay: WispNetwork
  center: Address
  chainId: number
  fromBlock: bigint
  /** makes a snapshot (and on Wisp, voting powers) stale */
  makeStale(): Promise<void>
  nodes: WispNode[]
  dataDir: string
}

const nets: Net[] = []
afterAll(async () => {
  for (const n of nets) {
    for (const node of n.nodes.reverse()) await node.stop().catch(() => undefined)
    await n.relay.stop().catch(() => undefined)
    await n.anvil.stop()
    rmSync(n.dataDir, { recursive: true, force: true })
  }
})

async function network(backend: Backend): Promise<Net> {
  const anvil = await startAnvil()
  const transport = http(anvil.rpcUrl)
  const governance = createWalletClient({ account: privateKeyToAccount(ANVIL_DEV_KEYS[0]), transport })
  const publicClient = createPublicClient({ transport, pollingInterval: 100 })
  const sent = async (hash: Hex) =>
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  let center: Address
  let chainId: number
  let fromBlock: bigint
  let makeStale: () => Promise<void>
  if (backend === 'wisp') {
    // a definition with a minimum: its snapshot is what submitTask uses
    const net = await deployLocalNetwork({
      rpcUrl: anvil.rpcUrl,
      operators: KEYS.map((ecdsaKey) => ({ ecdsaKey, votingPower: 10n * E })),
      taskDefinitions: [{ name: 'minimum', minimumVotingPower: 5n * E }],
    })
    ;({ chainId } = net)
    center = net.contracts.attestationCenter
    fromBlock = net.startBlock
    // a cap of 5: every stored power (10) is stale, and once synced the snapshot (40) is too
    makeStale = async () =>
      sent(
        await governance.writeContract({
          address: net.contracts.registry,
          abi: operatorRegistryAbi,
          functionName: 'setMaxEffectiveBalance',
          args: [5n * E],
          chain: null,
        }),
      )
  } else {
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2,
      operators: KEYS.map((ecdsaKey) => ({ ecdsaKey, votingPower: 10n * E })),
      taskDefinitions: [{ name: 'restricted', restrictedAttesterIds: [2, 3, 4] }],
    })
    ;({ chainId } = net)
    center = net.contracts.attestationCenter
    fromBlock = net.startBlock
    // what an L1 stake change does: the restricted definition's OBLS total (30) is stale
    makeStale = async () =>
      sent(
        await governance.writeContract({
          address: center,
          abi: othenticShapedAttestationCenterAbi,
          functionName: 'setOperatorVotingPower',
          args: [3n, 25n * E],
          chain: null,
        }),
      )
  }
  const directory = createChainDirectory(
    { attestationCenter: center, backend, outcomeWindowMs: 2000 },
    { publicClient },
  )
  const relay = await createRelay(
    {
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      deployments: [{ chainId, attestationCenter: center }],
    },
    { directory, definitions: directory, outcomes: directory, verifier: createInlineVerifier() },
  )
  const n: Net = {
    anvil,
    relay,
    center,
    chainId,
    fromBlock,
    makeStale,
    nodes: [],
    dataDir: mkdtempSync(join(tmpdir(), `wisp-internal-${backend}-`)),
  }
  nets.push(n)
  return n
}

async function start(n: Net, backend: Backend, index: number, patch: Record<string, unknown>) {
  const name = index === 0 ? 'aggregator' : `attester-${index + 1}`
  const operator = parseOperatorConfig({
    version: 1,
    network: { name: `internal-tasks-${backend}`, kind: 'local' },
    chain: {
      rpcUrl: n.anvil.rpcUrl,
      chainId: n.chainId,
      attestationCenter: n.center,
      backend,
      fromBlock: Number(n.fromBlock),
      pollingIntervalMs: 250,
      outcomeWindowMs: 2000,
    },
    p2p: { bootstrap: n.relay.getMultiaddrs() },
    election: { windowBlocks: 0 },
    dataDir: join(n.dataDir, name),
    ...patch,
  })
  const node = await startWispNode(
    { name, keys: keysFromEcdsa(KEYS[index]!), operator, verifierWorkers: 0 },
    { logger },
  )
  n.nodes.push(node)
  return node
}

/** Before the aggregator's first run (10 s after start): every attester in its task mesh. */
async function meshed(aggregator: WispNode, attesters: WispNode[]) {
  await until('the mesh', async () => {
    const mesh = new Set(aggregator.network.meshPeers('task'))
    return mesh.size > 0 && attesters.every((a) => a.network.meshPeers('task').length > 0) ? true : undefined
  })
}

/** The aggregator's internal tasks, by definition id, once submitted (TaskSubmitted) on chain. */
function watchInternal(aggregator: WispNode) {
  const performed = new Map<Hex, number>()
  const submitted = new Map<number, { txHash: Hex; event: string }>()
  aggregator.engine.events.on('task:performed', (e) => {
    if (e.taskDefinitionId >= 10001) performed.set(e.taskHash, e.taskDefinitionId)
  })
  aggregator.engine.events.on('submission:sent', (e) => {
    const id = performed.get(e.taskHash)
    if (id !== undefined) submitted.set(id, { txHash: e.txHash, event: e.event })
  })
  return { performed, submitted }
}

describe.each(['wisp', 'othentic'] as const)('internal tasks on %s contracts', (backend) => {
  it('off: nothing is sent; on: the aggregator performs them, attesters approve, the chain is in sync; a forged one is rejected', async () => {
    const n = await network(backend)
    const attesters: WispNode[] = []
    for (const i of [1, 2, 3]) attesters.push(await start(n, backend, i, { roles: ['attester'] }))
    const publicClient = createPublicClient({ transport: http(n.anvil.rpcUrl) })
    const chainTasks = createInternalTasks(publicClient, { attestationCenter: n.center, backend })
    await n.makeStale()
    const stale = backend === 'wisp' ? 10001 : 10002
    expect((await chainTasks.plan(stale)).status).toBe('task')

    // off (the default): no runner, and past the first run's delay nothing was performed
    const off = await start(n, backend, 0, { roles: ['aggregator'] })
    expect(off.operator.config.aggregator.internalTasks).toBe(false)
    expect(off.engine.internalTasks).toBeUndefined()
    const offWatch = watchInternal(off)
    await meshed(off, attesters)
    await new Promise((r) => setTimeout(r, 11_000))
    expect(offWatch.performed.size).toBe(0)
    expect((await chainTasks.plan(stale)).status).toBe('task')
    await off.stop()
    n.nodes.splice(n.nodes.indexOf(off), 1)

    // on: the first run, shortly after start
    const on = await start(n, backend, 0, { roles: ['aggregator'], aggregator: { internalTasks: true } })
    expect(on.operator.config.aggregator.internalTasksIntervalMs).toBe(3_600_000)
    const watch = watchInternal(on)
    await meshed(on, attesters)
    const expected = backend === 'wisp' ? [10001, 10002] : [10002]
    await until('the internal tasks on chain', async () =>
      expected.every((id) => watch.submitted.has(id)) ? true : undefined,
    )
    for (const id of expected) expect(watch.submitted.get(id)?.event).toBe('TaskSubmitted')
    // 10001 on Othentic needs L1 stake data: never performed there
    expect([...watch.performed.values()].sort()).toEqual(expected)
    expect((await chainTasks.plan(10002)).status).toBe('in-sync')
    if (backend === 'wisp') expect((await chainTasks.plan(10001)).status).toBe('in-sync')

    // forged: an operator's validly signed internal task that changes what is already in sync
    const forger = privateKeyToAccount(KEYS[1]!)
    const data =
      backend === 'wisp'
        ? encodeAbiParameters(parseAbiParameters('uint256[]'), [[2n]])
        : encodeAbiParameters(parseAbiParameters('(address to, bytes data)[]'), [[]])
    const task: TaskInfo = {
      proofOfTask: 'forged',
      data,
      taskPerformer: forger.address,
      taskDefinitionId: backend === 'wisp' ? 10001 : 10002,
    }
    const verdict = await attesters[1]!.engine.attester!.handleTask({
      message: {
        proofOfTask: task.proofOfTask,
        data: task.data,
        performer: task.taskPerformer,
        definitionId: task.taskDefinitionId,
        signature: { type: 'ecdsa', signature: await forger.sign({ hash: taskHash(task) }) },
      },
      from: 'test',
    })
    expect(verdict?.kind).toBe('reject')
  }, 180_000)
})
