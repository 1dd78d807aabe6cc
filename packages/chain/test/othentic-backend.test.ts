// The othentic backend against our Othentic-shaped test contracts (v2 and v1) on anvil, and
// backend detection against Wisp's own contracts and a contract that is neither: operators, totals
// and definitions read through the documented views and logs, caches reloaded by events (not by
// age), v1 events, submitTask through both overloads.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SecretKey } from '@wisp/bls'
import { othenticShapedAttestationCenterAbi } from '@wisp/contracts'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployLocalNetwork,
  deployOthenticShapedNetwork,
  type LocalNetwork,
  type OthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { type TaskInfo, taskHash } from '@wisp/protocol'
import { waitFor } from '@wisp/test-utils'
import { bytesToHex, createPublicClient, type Hex, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { writeContract } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChainError,
  createChainBackend,
  createChainCache,
  createChainDirectory,
  createChainPort,
  detectChainBackend,
  getTaskEvents,
  parseTaskEvents,
  submitTask,
  updateBlsKey,
  type WispChainPort,
} from '../src/index.js'
import { clientsFor, codeOf, makeTask, performerSignature, signVotes } from './support/network.js'
import { startRpcProxy } from './support/rpc-proxy.js'

const E = 10n ** 18n
let anvil: Anvil
let v2: OthenticShapedNetwork
let v1: OthenticShapedNetwork
let wisp: LocalNetwork
let clients: ReturnType<typeof clientsFor>

const operatorKeys = ANVIL_DEV_KEYS.slice(1, 5)

beforeAll(async () => {
  anvil = await startAnvil()
  // one deployer, one nonce sequence: the three deployments go one after the other
  v2 = await deployOthenticShapedNetwork({
    rpcUrl: anvil.rpcUrl,
    eventVersion: 2,
    operators: operatorKeys.map((ecdsaKey, i) => ({ ecdsaKey, votingPower: BigInt(10 * (i + 1)) * E })),
    taskDefinitions: [
      {
        name: 'restricted',
        blockExpiry: 1_000_000n,
        fees: { attesters: 3n, performer: 5n, aggregator: 7n },
        disputePeriodBlocks: 11n,
        minimumVotingPower: 20n * E,
        restrictedAttesterIds: [3, 2, 4],
        maximumNumberOfAttesters: 3,
      },
    ],
  })
  v1 = await deployOthenticShapedNetwork({
    rpcUrl: anvil.rpcUrl,
    eventVersion: 1,
    operators: operatorKeys.slice(0, 3).map((ecdsaKey) => ({ ecdsaKey })),
  })
  wisp = await deployLocalNetwork({ rpcUrl: anvil.rpcUrl, operators: [{}, {}, {}] })
  clients = clientsFor(anvil.rpcUrl, v2.chainId)
}, 120_000)

afterAll(async () => {
  await anvil?.stop()
})

const deployer = () => clients.walletOf(ANVIL_DEV_KEYS[0])
const opsOf = (net: OthenticShapedNetwork) =>
  net.operators.map((o) => ({
    ...o,
    bls: SecretKey.fromBytes(o.blsSecretKey),
    wallet: clients.walletOf(o.ecdsaKey),
  }))

async function registerToNetwork(net: OthenticShapedNetwork, key: Hex, bls: SecretKey, power: bigint) {
  const address = privateKeyToAccount(key).address
  const hash = await writeContract(deployer(), {
    address: net.contracts.attestationCenter,
    abi: othenticShapedAttestationCenterAbi,
    functionName: 'registerToNetwork',
    args: [address, power, bls.publicKey.toEvm(), address],
    chain: clients.chain,
    account: deployer().account,
  })
  await clients.publicClient.waitForTransactionReceipt({ hash })
  return address
}

describe('detection', () => {
  it("tells Wisp's contracts from an Othentic deployment (v2 and v1) in one probe", async () => {
    const c = clients.publicClient
    expect(await detectChainBackend(c, { attestationCenter: v2.contracts.attestationCenter })).toBe(
      'othentic',
    )
    expect(await detectChainBackend(c, { attestationCenter: v1.contracts.attestationCenter })).toBe(
      'othentic',
    )
    expect(await detectChainBackend(c, { attestationCenter: wisp.contracts.attestationCenter })).toBe('wisp')
  })

  it('a contract that is neither, or the wrong backend named, is CHAIN_NOT_AN_ATTESTATION_CENTER naming what was probed', async () => {
    const c = clients.publicClient
    // the OBLS has code but is no AttestationCenter
    const error = (await detectChainBackend(c, { attestationCenter: v2.contracts.obls }).catch(
      (e: unknown) => e,
    )) as ChainError
    expect(error.code).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    expect(error.message).toContain('obls()')
    expect(error.message).toContain(v2.contracts.obls)
    expect(
      await codeOf(createChainPort({ attestationCenter: wisp.contracts.stakeToken }, { publicClient: c })),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    // named backends are checked too: Wisp's registry is no OBLS, an OBLS no Wisp registry
    const asOthentic = (await createChainBackend(c, {
      attestationCenter: wisp.contracts.attestationCenter,
      backend: 'othentic',
    }).catch((e: unknown) => e)) as ChainError
    expect(asOthentic.code).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    expect(asOthentic.message).toContain('obls.isActive(0)')
    expect(
      await codeOf(
        createChainBackend(c, { attestationCenter: v2.contracts.attestationCenter, backend: 'wisp' }),
      ),
    ).toBe('CHAIN_NOT_AN_ATTESTATION_CENTER')
    expect(
      await codeOf(
        createChainBackend(c, {
          attestationCenter: v2.contracts.attestationCenter,
          backend: 'othentik' as 'othentic',
        }),
      ),
    ).toBe('CHAIN_INVALID_INPUT')
  })

  it('the port says which backend it uses', async () => {
    const onWisp = await createChainPort(
      { attestationCenter: wisp.contracts.attestationCenter },
      { publicClient: clients.publicClient },
    )
    expect(onWisp.backend).toBe('wisp')
    expect(onWisp.proveDoubleAttestation).toBeTypeOf('function')
    expect(await onWisp.getOperators()).toHaveLength(3)
    onWisp.close()
  })
})

describe('reads', () => {
  it('operators, totals and definitions through the views and the creation logs', async () => {
    const port = await createChainPort(
      { attestationCenter: v2.contracts.attestationCenter, fromBlock: v2.startBlock },
      { publicClient: clients.publicClient },
    )
    try {
      expect(port.backend).toBe('othentic')
      expect(port.registry).toBe(v2.contracts.obls)
      // no Wisp slashing functions on an Othentic deployment: the watchtower files nothing there
      expect(port.proveDoubleAttestation).toBeUndefined()
      expect(port.proveIncorrectAttestation).toBeUndefined()
      const operators = await port.getOperators()
      expect(operators.map((o) => [o.id, o.address, o.votingPower, o.active])).toEqual(
        v2.operators.map((o) => [o.id, o.address, o.votingPower, true]),
      )
      expect(operators.map((o) => bytesToHex(o.blsPublicKey))).toEqual(
        v2.operators.map((o) => o.blsPublicKey),
      )
      expect(await port.getNetworkTotal()).toBe(100n * E)
      expect(await port.getTaskDefinition(1)).toEqual({
        id: 1,
        name: 'restricted',
        blockExpiry: 1_000_000n,
        baseRewardFeeForAttesters: 3n,
        baseRewardFeeForPerformer: 5n,
        baseRewardFeeForAggregator: 7n,
        disputePeriodBlocks: 11n,
        minimumVotingPower: 20n * E,
        restrictedAttesterIds: [2, 3, 4],
        maximumNumberOfAttesters: 3,
        // the deployer stored the snapshot task 10002 would: operators 2..4 (20 + 30 + 40)
        definitionTotal: 90n * E,
        internal: false,
      })
      // the default definition has no stored total: the OBLS answers the network's
      expect(await port.getTaskDefinition(0)).toMatchObject({
        id: 0,
        definitionTotal: 100n * E,
        internal: false,
      })
      expect(await port.getTaskDefinition(2)).toBeUndefined()
      expect(await port.getTaskDefinition(10001)).toMatchObject({ internal: true })
    } finally {
      port.close()
    }
  })

  it('an address that is not registered is no operator (OperatorNotRegistered read as "not registered")', async () => {
    const backend = await createChainBackend(clients.publicClient, {
      attestationCenter: v2.contracts.attestationCenter,
    })
    const stranger = privateKeyToAccount(generatePrivateKey()).address
    expect(await backend.getOperatorId(stranger)).toBeUndefined()
    expect(await backend.getOperatorId(v2.operators[2]!.address)).toBe(3)
    const directory = createChainDirectory(
      { attestationCenter: v2.contracts.attestationCenter },
      { publicClient: clients.publicClient },
    )
    expect(await directory.getOperatorByAddress(stranger)).toBeUndefined()
    expect(await directory.getOperatorByAddress(v2.operators[0]!.address)).toMatchObject({ id: 1 })
    expect(await directory.backend()).toBe('othentic')
    directory.close()
  })
})

describe('caches follow events', () => {
  it('a registration, a BLS key update and a definition creation reload the snapshot; nothing else does', async () => {
    let now = 0
    // no age-based reload and no unknown-id reload in this test: only events can refresh
    const directory = createChainDirectory(
      {
        attestationCenter: v2.contracts.attestationCenter,
        fromBlock: v2.startBlock,
        maxAgeMs: 1e12,
        unknownRefreshMs: 1e12,
        watchIntervalMs: 50,
      },
      { publicClient: clients.publicClient, now: () => now },
    )
    const port = await createChainPort(
      {
        attestationCenter: v2.contracts.attestationCenter,
        fromBlock: v2.startBlock,
        cacheMaxAgeMs: 1e12,
        watchIntervalMs: 50,
      },
      { publicClient: clients.publicClient },
    )
    try {
      // an unknown id spends the one allowed reload: from here only events can bring newcomers
      expect(await directory.getOperator(99)).toBeUndefined()
      now = 1
      const before = port.cache.loads
      expect((await port.getOperators()).length).toBe(v2.operators.length)
      const loaded = port.cache.loads
      // quiet chain: no reload however often it is asked
      for (let i = 0; i < 5; i++) await port.getOperators()
      await new Promise((r) => setTimeout(r, 200))
      await port.getOperators()
      expect(port.cache.loads).toBe(loaded)
      expect(loaded).toBe(before + 1)
      // a task outcome and its RewardAccumulated events change nothing the cache holds
      const ops = opsOf(v2)
      const task = makeTask(ops[0]!.address, 1)
      const submitted = await submitTask(ops[0]!.wallet, {
        attestationCenter: v2.contracts.attestationCenter,
        task,
        performerSignature: await performerSignature(ops[0]!, task, 'ecdsa'),
        isApproved: true,
        ...signVotes(votingOn(v2), task, ops.slice(1, 4), true),
      })
      expect(submitted.receipt.logs.length).toBeGreaterThan(1) // the outcome and the rewards
      await new Promise((r) => setTimeout(r, 300))
      await port.getOperators()
      expect(port.cache.loads).toBe(loaded)

      // a registration (OperatorRegisteredToNetwork)
      const newKey = generatePrivateKey()
      const newBls = SecretKey.fromEcdsaPrivateKey(newKey)
      const newcomer = await registerToNetwork(v2, newKey, newBls, 5n * E)
      await waitFor(
        'the newcomer in the directory',
        async () => (await directory.getOperatorByAddress(newcomer))?.id === 5,
        { timeoutMs: 5_000 },
      )
      await waitFor('the new network total', async () => (await port.getNetworkTotal()) === 105n * E, {
        timeoutMs: 5_000,
      })

      // a BLS key update (OperatorBlsKeyUpdated)
      const rotated = SecretKey.fromBytes(bytesToHex(new Uint8Array(32).fill(7)))
      await updateBlsKey(ops[1]!.wallet, {
        attestationCenter: v2.contracts.attestationCenter,
        blsSecretKey: rotated,
      })
      const rotatedHex = rotated.publicKey.toHex()
      await waitFor(
        'the rotated key',
        async () => bytesToHex((await directory.getOperator(2))!.blsPublicKey) === rotatedHex,
        {
          timeoutMs: 5_000,
        },
      )
      // and back, so that later tests sign with the deployed key
      await updateBlsKey(ops[1]!.wallet, {
        attestationCenter: v2.contracts.attestationCenter,
        blsSecretKey: ops[1]!.bls,
      })

      // a definition creation (TaskDefinitionCreated), name from the log
      expect(await directory.hasTaskDefinition(2)).toBe(false)
      const hash = await writeContract(deployer(), {
        address: v2.contracts.attestationCenter,
        abi: othenticShapedAttestationCenterAbi,
        functionName: 'createNewTaskDefinition',
        args: [
          'late',
          {
            blockExpiry: 0n,
            baseRewardFeeForAttesters: 1n,
            baseRewardFeeForPerformer: 2n,
            baseRewardFeeForAggregator: 3n,
            disputePeriodBlocks: 4n,
            minimumVotingPower: 0n,
            restrictedOperatorIndexes: [],
          },
        ],
        chain: clients.chain,
        account: deployer().account,
      })
      await clients.publicClient.waitForTransactionReceipt({ hash })
      await waitFor('definition 2 in the directory', () => directory.hasTaskDefinition(2), {
        timeoutMs: 5_000,
      })
      await waitFor(
        'definition 2 from the port',
        async () => (await port.getTaskDefinition(2))?.name === 'late',
        { timeoutMs: 5_000 },
      )
      expect(await port.getTaskDefinition(2)).toMatchObject({
        baseRewardFeeForAggregator: 3n,
        disputePeriodBlocks: 4n,
      })
    } finally {
      directory.close()
      port.close()
    }
  })
})

/** What signVotes reads of a network: where votes are bound (AttestationCenter and chain id). */
const votingOn = (net: OthenticShapedNetwork) =>
  ({ center: net.contracts.attestationCenter, net: { chainId: net.chainId } }) as Parameters<
    typeof signVotes
  >[0]

describe('cache resilience', () => {
  it('a failed reload serves the last snapshot (and says why through refresh); it recovers with the RPC', async () => {
    const proxy = await startRpcProxy(anvil.rpcUrl)
    try {
      const client = createPublicClient({
        transport: http(proxy.url, { retryCount: 0 }),
        pollingInterval: 50,
      })
      const backend = await createChainBackend(client, { attestationCenter: v2.contracts.attestationCenter })
      let now = 0
      const errors: string[] = []
      const cache = createChainCache(client, backend, {
        maxAgeMs: 1_000,
        now: () => now,
        onError: (e) => errors.push(e.code),
      })
      const first = await cache.get()
      proxy.mode = '503'
      now = 5_000 // past the max age: a reload is due, and fails
      expect(await cache.get()).toBe(first)
      expect(await codeOf(cache.refresh())).toBe('CHAIN_RPC_FAILED')
      await waitFor('the watch to report the dead RPC', () => errors.includes('CHAIN_RPC_FAILED'), {
        timeoutMs: 5_000,
      })
      proxy.mode = 'forward'
      now = 10_000
      const again = await cache.get()
      expect(again).not.toBe(first)
      expect(again.operators.map((o) => o.id)).toEqual(first.operators.map((o) => o.id))
      cache.close()
    } finally {
      proxy.close()
    }
  })

  it('onLogs hears every block once and in order, through an outage and a long catch-up; head() says when it is fresh', async () => {
    const proxy = await startRpcProxy(anvil.rpcUrl)
    const client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }), pollingInterval: 50 })
    const backend = await createChainBackend(client, { attestationCenter: v2.contracts.attestationCenter })
    const errors: string[] = []
    const cache = createChainCache(client, backend, { maxAgeMs: 1e12, onError: (e) => errors.push(e.code) })
    const ranges: Array<{ fromBlock: bigint; toBlock: bigint }> = []
    const outcomes: number[] = []
    const stop = cache.onLogs((logs, range) => {
      ranges.push(range)
      for (const e of parseTaskEvents(logs, v2.contracts.attestationCenter)) outcomes.push(e.taskNumber)
    })
    const ops = opsOf(v2)
    const submit = async (number: number) => {
      const task = makeTask(ops[0]!.address, 1, `0x0${number}`)
      return (
        await submitTask(ops[0]!.wallet, {
          attestationCenter: v2.contracts.attestationCenter,
          task,
          performerSignature: await performerSignature(ops[0]!, task, 'ecdsa'),
          isApproved: true,
          ...signVotes(votingOn(v2), task, ops.slice(1, 4), true),
        })
      ).event.taskNumber
    }
    try {
      // onLogs alone starts the watch (a first load fixes where it starts)
      await waitFor('a fresh head', () => cache.head()?.fresh === true, { timeoutMs: 5_000 })
      const first = await submit(1)
      await waitFor('the first outcome', () => outcomes.includes(first), { timeoutMs: 5_000 })

      proxy.mode = '503'
      const second = await submit(2)
      // 2 500 empty blocks while the RPC is down: more than one look may ask for
      await clients.testClient.mine({ blocks: 2_500 })
      await waitFor('the watch to report the dead RPC', () => errors.includes('CHAIN_RPC_FAILED'), {
        timeoutMs: 5_000,
      })
      await waitFor('the head to go stale', () => cache.head()?.fresh === false, { timeoutMs: 5_000 })
      const third = await submit(3)
      proxy.mode = 'forward'
      const head = await clients.publicClient.getBlockNumber()
      await waitFor('the watch to catch up', () => (ranges.at(-1)?.toBlock ?? 0n) >= head, {
        timeoutMs: 10_000,
      })
      expect(outcomes).toEqual([first, second, third])
      expect(cache.head()).toMatchObject({ block: head, fresh: true })
      // contiguous and never wider than one look may ask
      for (const [i, r] of ranges.entries()) {
        expect(r.toBlock - r.fromBlock).toBeLessThan(1_000n)
        if (i > 0) expect(r.fromBlock).toBe(ranges[i - 1]!.toBlock + 1n)
      }
      expect(ranges.length).toBeGreaterThanOrEqual(3)
    } finally {
      stop()
      cache.close()
      proxy.close()
    }
  })
})

describe('creation logs on an RPC that limits eth_getLogs ranges', () => {
  it('splits a refused range and still finds every definition', async () => {
    const LIMIT = 20n
    let refused = 0
    let widest = 0n
    // a proxy in front of anvil that refuses eth_getLogs over more than LIMIT blocks, as public RPCs do
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        const call = JSON.parse(body.toString()) as {
          id: number
          method: string
          params: [{ fromBlock: Hex; toBlock: Hex }]
        }
        if (call.method === 'eth_getLogs') {
          const width = BigInt(call.params[0].toBlock) - BigInt(call.params[0].fromBlock) + 1n
          if (width > LIMIT) {
            refused += 1
            res.writeHead(200, { 'content-type': 'application/json' })
            return void res.end(
              JSON.stringify({
                jsonrpc: '2.0',
                id: call.id,
                error: { code: -32005, message: 'block range too wide' },
              }),
            )
          }
          if (width > widest) widest = width
        }
        fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then(async (r) =>
            res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
          )
          .catch(() => res.writeHead(502).end())
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const client = createPublicClient({ transport: http(url, { retryCount: 0 }) })
      expect(await client.getBlockNumber()).toBeGreaterThan(LIMIT)
      const backend = await createChainBackend(client, {
        attestationCenter: v2.contracts.attestationCenter,
        backend: 'othentic',
        fromBlock: 0n,
      })
      const definitions = await backend.getTaskDefinitions()
      expect(definitions.find((d) => d.id === 1)).toMatchObject({
        name: 'restricted',
        blockExpiry: 1_000_000n,
      })
      expect(refused).toBeGreaterThan(0)
      expect(widest).toBeLessThanOrEqual(LIMIT)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})

async function submitThrough(
  port: WispChainPort,
  net: OthenticShapedNetwork,
  task: TaskInfo,
  type: 'ecdsa' | 'bls',
  signers = opsOf(net),
) {
  const performer = opsOf(net).find((o) => o.address === task.taskPerformer)!
  return port.submitTask({
    task,
    performerSignature: await performerSignature(performer, task, type),
    isApproved: true,
    ...signVotes(votingOn(net), task, signers, true),
  })
}

describe('submitTask', () => {
  it('v2: both overloads are included; the event names the performer, not the aggregator', async () => {
    const ops = opsOf(v2)
    // operator 1 aggregates, operator 3 performs
    const port = await createChainPort(
      { attestationCenter: v2.contracts.attestationCenter, pollingIntervalMs: 50 },
      { publicClient: clients.publicClient, walletClient: ops[0]!.wallet },
    )
    try {
      const from = await clients.publicClient.getBlockNumber()
      const ecdsaTask = makeTask(ops[2]!.address)
      const blsTask = makeTask(ops[2]!.address)
      expect(await submitThrough(port, v2, ecdsaTask, 'ecdsa')).toMatchObject({
        status: 'included',
        event: 'TaskSubmitted',
      })
      const bls = await submitThrough(port, v2, blsTask, 'bls')
      expect(bls).toMatchObject({ status: 'included' })
      const events = await getTaskEvents(clients.publicClient, {
        attestationCenter: v2.contracts.attestationCenter,
        fromBlock: from,
        performer: ops[2]!.address,
      })
      expect(events.map((e) => [e.proofOfTask, e.performer, e.version])).toEqual([
        [ecdsaTask.proofOfTask, ops[2]!.address, 2],
        [blsTask.proofOfTask, ops[2]!.address, 2],
      ])
      expect(events[0]!.attesterIds.length).toBeGreaterThan(0)
      // the same transaction, announced: confirmed with its attesters
      const check = await port.checkTaskOutcome({
        taskHash: taskHash(blsTask),
        txHash: (bls as { txHash: Hex }).txHash,
        performer: ops[2]!.address,
      })
      expect(check).toMatchObject({
        status: 'confirmed',
        isApproved: true,
        attesterIds: events[1]!.attesterIds,
      })
      // announced with another performer: no such task in that transaction
      expect(
        await port.checkTaskOutcome({
          taskHash: taskHash({ ...blsTask, taskPerformer: ops[1]!.address }),
          txHash: (bls as { txHash: Hex }).txHash,
          performer: ops[1]!.address,
        }),
      ).toMatchObject({ status: 'refuted', reason: 'no_matching_event' })
    } finally {
      port.close()
    }
  })

  it('v1: the ECDSA overload is included and its v1 event parsed; the BLS overload does not exist there', async () => {
    const ops = opsOf(v1)
    const port = await createChainPort(
      { attestationCenter: v1.contracts.attestationCenter, pollingIntervalMs: 50 },
      { publicClient: clients.publicClient, walletClient: ops[0]!.wallet },
    )
    try {
      expect(port.backend).toBe('othentic')
      const task = makeTask(ops[1]!.address)
      const from = await clients.publicClient.getBlockNumber()
      const outcome = await submitThrough(port, v1, task, 'ecdsa')
      expect(outcome).toMatchObject({ status: 'included', event: 'TaskSubmitted' })
      const [event] = await getTaskEvents(clients.publicClient, {
        attestationCenter: v1.contracts.attestationCenter,
        fromBlock: from,
      })
      expect(event).toMatchObject({
        version: 1,
        performer: ops[1]!.address,
        proofOfTask: task.proofOfTask,
        attesterIds: [],
      })
      // the action itself returns the v1 event (no CHAIN_UNEXPECTED for a missing v2 event)
      const task2 = makeTask(ops[2]!.address)
      const direct = await submitTask(ops[0]!.wallet, {
        attestationCenter: v1.contracts.attestationCenter,
        task: task2,
        performerSignature: await performerSignature(ops[2]!, task2, 'ecdsa'),
        isApproved: true,
        ...signVotes(votingOn(v1), task2, ops, true),
      })
      expect(direct.event).toMatchObject({ version: 1, performer: ops[2]!.address, isApproved: true })
      // a v1 event has no attester list: the checker reads it from the submitTask calldata
      expect(
        await port.checkTaskOutcome({
          taskHash: taskHash(task2),
          txHash: direct.txHash,
          performer: ops[2]!.address,
        }),
      ).toMatchObject({ status: 'confirmed', isApproved: true, attesterIds: [1, 2, 3] })
      expect(await codeOf(submitThrough(port, v1, makeTask(ops[1]!.address), 'bls'))).toBe('CHAIN_REVERTED')
    } finally {
      port.close()
    }
  })
})
