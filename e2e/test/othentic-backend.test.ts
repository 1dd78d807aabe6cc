// A whole Wisp network against an Othentic deployment's surface (issue 11): our Othentic-shaped
// test contracts (v2, then v1) on anvil, and Wisp operators started as Node operators
// (@wisp/node's startWispNode → @wisp/operator's createOperator) with `chain.backend: 'othentic'`:
// three attesters, an aggregator (also an operator: the contract has no open aggregation) and a
// performer. Tasks must finalize on chain through both submitTask overloads (the performer signs
// with ECDSA, then with BLS), a v1 deployment (v1 events, ECDSA overload only) must be read
// correctly, and a key that is not registered must be told it is not an operator.
// Real parts only: anvil, libp2p over loopback (a relay as bootstrap), the bundled hash-chain plugin.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInlineVerifier } from '@wisp/bls'
import { createChainDirectory, getTaskEvents, type TaskOutcomeEvent } from '@wisp/chain'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployOthenticShapedNetwork,
  type OthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { waitForMesh } from '@wisp/devnet'
import {
  createConsoleLogger,
  keysFromEcdsa,
  startWispNode,
  type WispNode,
  type WispNodeConfig,
} from '@wisp/node'
import { parseOperatorConfig } from '@wisp/operator'
import { createRelay, type WispNetwork } from '@wisp/p2p/node'
import { waitFor } from '@wisp/test-utils'
import { createPublicClient, type Hex, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'

const E = 10n ** 18n
// anvil's dev accounts 1..5 (0 deploys): performer, aggregator, three attesters. The attesters hold
// the power: 3 × 10 of 32 passes the 2/3 threshold without the performer's or aggregator's vote.
const KEYS = ANVIL_DEV_KEYS.slice(1, 6) as Hex[]
const POWERS = [1n, 1n, 10n, 10n, 10n].map((p) => p * E)
const ITERATIONS = 50

type Running = {
  anvil: Anvil
  net: OthenticShapedNetwork
  relay: WispNetwork
  nodes: Map<string, WispNode>
  config: (name: string, patch: Record<string, unknown>) => WispNodeConfig['operator']
  start: (name: string, key: Hex, patch: Record<string, unknown>) => Promise<WispNode>
  stop: () => Promise<void>
}

const log: string[] = []
const logger = createConsoleLogger({ level: 'warn', write: (l) => log.push(l) })
const running: Running[] = []

afterAll(async () => {
  for (const r of running) await r.stop()
})

/** anvil, the Othentic-shaped contracts, a relay; nodes are started by the tests. */
async function othenticNetwork(eventVersion: 1 | 2): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), `wisp-othentic-v${eventVersion}-`))
  const anvil = await startAnvil()
  const nodes = new Map<string, WispNode>()
  let relay: WispNetwork | undefined
  const stop = async () => {
    for (const node of [...nodes.values()].reverse()) await node.stop().catch(() => undefined)
    nodes.clear()
    await relay?.stop().catch(() => undefined)
    await anvil.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion,
      operators: KEYS.map((ecdsaKey, i) => ({ ecdsaKey, votingPower: POWERS[i]! })),
      taskDefinitions: [{ name: 'hash-chain' }],
    })
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 250 })
    // the relay validates like an operator: it reads the same Othentic-shaped contracts
    const directory = createChainDirectory(
      { attestationCenter: net.contracts.attestationCenter, backend: 'othentic', outcomeWindowMs: 2000 },
      { publicClient },
    )
    relay = await createRelay(
      {
        listen: ['/ip4/127.0.0.1/tcp/0/ws'],
        deployments: [{ chainId: net.chainId, attestationCenter: net.contracts.attestationCenter }],
      },
      { directory, definitions: directory, outcomes: directory, verifier: createInlineVerifier() },
    )
    const bootstrap = relay.getMultiaddrs()
    const config = (name: string, patch: Record<string, unknown>) =>
      parseOperatorConfig({
        version: 1,
        network: { name: `othentic-shaped v${eventVersion}`, kind: 'local' },
        chain: {
          rpcUrl: anvil.rpcUrl,
          chainId: net.chainId,
          attestationCenter: net.contracts.attestationCenter,
          backend: 'othentic',
          fromBlock: Number(net.startBlock),
          pollingIntervalMs: 250,
          outcomeWindowMs: 2000,
        },
        p2p: { bootstrap },
        // one designated performer; no leader election window to keep to in a test
        election: { windowBlocks: 0, performerIds: [1] },
        aggregator: { delayMs: 300 },
        plugins: [
          { package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: ITERATIONS } },
        ],
        dataDir: join(dataDir, name),
        ...patch,
      })
    const start = async (name: string, key: Hex, patch: Record<string, unknown>) => {
      const node = await startWispNode(
        { name, keys: keysFromEcdsa(key), operator: config(name, patch), verifierWorkers: 0 },
        { logger },
      )
      nodes.set(name, node)
      return node
    }
    const r: Running = { anvil, net, relay, nodes, config, start, stop }
    running.push(r)
    return r
  } catch (err) {
    await stop()
    throw err
  }
}

/** The performer (ECDSA or BLS), the aggregator and three attesters, meshed through the relay. */
async function startNodes(r: Running, signatureType: 'ecdsa' | 'bls'): Promise<void> {
  await r.start('aggregator', KEYS[1]!, { roles: ['aggregator'] })
  for (const i of [2, 3, 4]) await r.start(`attester-${i + 1}`, KEYS[i]!, { roles: ['attester'] })
  await r.start(`performer-${signatureType}`, KEYS[0]!, {
    roles: ['performer'],
    performer: { taskDefinitionIds: [1], signatureType },
  })
  await waitForMesh(
    r.relay,
    [...r.nodes.values()].map((n) => n.network.peerId),
  )
}

/** Performs a hash-chain task and waits for its outcome event on chain. */
async function finalize(r: Running, performer: WispNode): Promise<TaskOutcomeEvent> {
  const from = await r.nodes.get('aggregator')!.chain.getBlockNumber()
  const published = await performer.engine.performer!.performOnce(1)
  const client = createPublicClient({ transport: http(r.anvil.rpcUrl) })
  return waitFor(
    `task ${published.taskHash} on chain`,
    async () =>
      (
        await getTaskEvents(client, {
          attestationCenter: r.net.contracts.attestationCenter,
          fromBlock: from,
          performer: performer.address,
        })
      ).find((e) => e.proofOfTask === published.task.proofOfTask),
    { timeoutMs: 60_000, context: () => log.slice(-30).join('\n') },
  )
}

describe('Wisp operators on an Othentic v2 deployment (backend: othentic)', () => {
  let r: Running

  it('every node reads the deployment through the othentic backend', async () => {
    r = await othenticNetwork(2)
    await startNodes(r, 'ecdsa')
    for (const node of r.nodes.values()) expect(node.chain.backend).toBe('othentic')
    const operators = await r.nodes.get('aggregator')!.chain.getOperators()
    expect(operators.map((o) => [o.id, o.address, o.votingPower])).toEqual(
      r.net.operators.map((o) => [o.id, o.address, o.votingPower]),
    )
  }, 180_000)

  it('tasks finalize through the ECDSA overload (performer signs with ECDSA)', async () => {
    const event = await finalize(r, r.nodes.get('performer-ecdsa')!)
    expect(event).toMatchObject({ event: 'TaskSubmitted', version: 2, isApproved: true })
    expect(event.performer).toBe(privateKeyToAccount(KEYS[0]!).address)
    // the attesters' votes made it, and only operators that attest
    expect(event.attesterIds.every((id) => id >= 3)).toBe(true)
    expect(event.attesterIds.length).toBeGreaterThanOrEqual(3)
    const tx = await createPublicClient({ transport: http(r.anvil.rpcUrl) }).getTransaction({
      hash: event.transactionHash,
    })
    expect(tx.input.slice(0, 10)).toBe('0xfff768e3')
  })

  it('tasks finalize through the BLS overload (the performer restarted with signatureType bls)', async () => {
    await r.nodes.get('performer-ecdsa')!.stop()
    r.nodes.delete('performer-ecdsa')
    const performer = await r.start('performer-bls', KEYS[0]!, {
      roles: ['performer'],
      performer: { taskDefinitionIds: [1], signatureType: 'bls' },
    })
    await waitForMesh(r.relay, [performer.network.peerId])
    const event = await finalize(r, performer)
    expect(event).toMatchObject({ event: 'TaskSubmitted', version: 2, performer: performer.address })
    // the transaction went through the BLS-performer overload (selector 0x8a7ce8a4)
    const tx = await createPublicClient({ transport: http(r.anvil.rpcUrl) }).getTransaction({
      hash: event.transactionHash,
    })
    expect(tx.input.slice(0, 10)).toBe('0x8a7ce8a4')
  })

  it('a key that is not registered is told it is not an operator', async () => {
    const error = await r
      .start('stranger', generatePrivateKey(), { roles: ['attester'] })
      .catch((e: unknown) => e as { code?: string; message: string })
    expect((error as { code?: string }).code).toBe('OPERATOR_NOT_AN_OPERATOR')
    expect((error as Error).message).toContain('is not a registered operator')
  })

  it('stops', async () => {
    await r.stop()
    running.splice(running.indexOf(r), 1)
  })
})

describe('Wisp operators on an Othentic v1 deployment', () => {
  it('reads the v1 events and finalizes tasks through the ECDSA overload', async () => {
    const r = await othenticNetwork(1)
    await startNodes(r, 'ecdsa')
    expect(r.nodes.get('aggregator')!.chain.backend).toBe('othentic')
    const first = await finalize(r, r.nodes.get('performer-ecdsa')!)
    const second = await finalize(r, r.nodes.get('performer-ecdsa')!)
    for (const event of [first, second]) {
      // v1: nothing indexed, no attester list in the event; the performer in `operator`
      expect(event).toMatchObject({ event: 'TaskSubmitted', version: 1, attesterIds: [] })
      expect(event.performer).toBe(privateKeyToAccount(KEYS[0]!).address)
    }
    expect(second.taskNumber).toBe(first.taskNumber + 1)
  }, 180_000)
})
