// Every role keeps its peer id across restarts with the same data dir (issue 12, "Must show"), on
// the layout of Othentic's example: the aggregator is the bootstrap node (p2p.bootstrapNode, TCP
// like Othentic's port 9876), and three attesters and a performer are given only its
// `/ip4/…/tcp/N/p2p/<id>` address. Whole Node operators (startWispNode) on anvil, libp2p over
// loopback, the bundled hash-chain plugin: a task finalizes through the aggregator's mesh, every
// node is stopped, started again on the same data dirs — the same peer ids, so the same bootstrap
// address still reaches the aggregator, and the next task finalizes too. (The relay's own restart
// is relay-identity.test.ts.)
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getTaskEvents } from '@wisp/chain'
import { ANVIL_DEV_KEYS, type Anvil, deployLocalNetwork, startAnvil } from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import { SEED_FILE } from '@wisp/p2p/node'
import { createPublicClient, type Hex, http } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { createConsoleLogger, keysFromEcdsa, startWispNode, type WispNode } from '../src/index.js'

const E = 10n ** 18n
// performer, aggregator, three attesters; the attesters hold the power (30 of 32 ≥ 2/3)
const KEYS = ANVIL_DEV_KEYS.slice(1, 6) as Hex[]
const POWERS = [1n, 1n, 10n, 10n, 10n].map((p) => p * E)
const ROLES = ['performer', 'aggregator', 'attester', 'attester', 'attester'] as const
const NAMES = ['performer', 'aggregator', 'attester-3', 'attester-4', 'attester-5']
const log: string[] = []
const logger = createConsoleLogger({ level: 'warn', write: (l) => log.push(l) })

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log.slice(-20).join('\n')}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A TCP port nothing listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

const root = mkdtempSync(join(tmpdir(), 'wisp-identity-restart-'))
let anvil: Anvil | undefined
let nodes: WispNode[] = []
afterAll(async () => {
  for (const node of nodes.reverse()) await node.stop().catch(() => undefined)
  await anvil?.stop()
  rmSync(root, { recursive: true, force: true })
})

describe('every role keeps its peer id in its data dir', () => {
  it('aggregator (the TCP bootstrap node), attesters and performer: the same peer ids after a restart; tasks finalize both times', async () => {
    anvil = await startAnvil()
    const net = await deployLocalNetwork({
      rpcUrl: anvil.rpcUrl,
      operators: KEYS.map((ecdsaKey, i) => ({ ecdsaKey, votingPower: POWERS[i]! })),
      taskDefinitions: [{ name: 'hash-chain' }],
    })
    const center = net.contracts.attestationCenter
    const client = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 250 })
    const port = await freePort()
    const config = (index: number, bootstrap: string[]) =>
      parseOperatorConfig({
        version: 1,
        network: { name: 'identity-restart', kind: 'local' },
        chain: {
          rpcUrl: anvil!.rpcUrl,
          chainId: net.chainId,
          attestationCenter: center,
          fromBlock: Number(net.startBlock),
          pollingIntervalMs: 250,
          outcomeWindowMs: 2000,
        },
        roles: [ROLES[index]],
        p2p:
          ROLES[index] === 'aggregator'
            ? { bootstrap: [], listen: [`/ip4/127.0.0.1/tcp/${port}`], bootstrapNode: true }
            : { bootstrap },
        election: { windowBlocks: 0, performerIds: [1] },
        aggregator: { delayMs: 300 },
        performer: ROLES[index] === 'performer' ? { taskDefinitionIds: [1] } : {},
        plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 20 } }],
        dataDir: join(root, NAMES[index]!),
      })

    /** Starts the aggregator, then the others with its TCP address; a task finalizes. */
    const round = async () => {
      const aggregator = await startWispNode(
        { name: 'aggregator', keys: keysFromEcdsa(KEYS[1]!), operator: config(1, []), verifierWorkers: 0 },
        { logger },
      )
      nodes.push(aggregator)
      const bootstrap = `/ip4/127.0.0.1/tcp/${port}/p2p/${aggregator.network.peerId}`
      expect(aggregator.network.getMultiaddrs()).toContain(bootstrap)
      for (const i of [0, 2, 3, 4]) {
        nodes.push(
          await startWispNode(
            {
              name: NAMES[i]!,
              keys: keysFromEcdsa(KEYS[i]!),
              operator: config(i, [bootstrap]),
              verifierWorkers: 0,
            },
            { logger },
          ),
        )
      }
      const others = nodes.filter((n) => n !== aggregator)
      // each reaches the network through the aggregator only, over TCP
      await until('the mesh through the aggregator', () => {
        const mesh = aggregator.network.meshPeers('task')
        return others.every(
          (n) =>
            mesh.includes(n.network.peerId) &&
            n.network.meshPeers('task').includes(aggregator.network.peerId),
        )
          ? true
          : undefined
      })
      for (const n of others) {
        expect(n.network.connections().find((c) => c.peerId === aggregator.network.peerId)?.remoteAddr).toBe(
          bootstrap,
        )
      }
      const performer = nodes.find((n) => n.name === 'performer')!
      const from = await client.getBlockNumber()
      const published = await performer.engine.performer!.performOnce(1)
      const event = await until(`task ${published.taskHash} on chain`, async () =>
        (
          await getTaskEvents(client, {
            attestationCenter: center,
            fromBlock: from,
            performer: performer.address,
          })
        ).find((e) => e.proofOfTask === published.task.proofOfTask),
      )
      expect(event.event).toBe('TaskSubmitted')
      return Object.fromEntries(nodes.map((n) => [n.name, n.network.peerId]))
    }

    const first = await round()
    for (const name of NAMES) expect(existsSync(join(root, name, SEED_FILE))).toBe(true)
    expect(new Set(Object.values(first)).size).toBe(NAMES.length)
    for (const node of nodes.reverse()) await node.stop()
    nodes = []

    const second = await round()
    expect(second).toEqual(first)
  }, 240_000)
})
