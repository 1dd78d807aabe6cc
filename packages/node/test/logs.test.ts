// The log lines an operator sees from a whole Node operator (startWispNode on anvil with
// Othentic-shaped contracts, its console logger): a peer that sends it garbage gossip shows as one
// rate-limited warning per topic and reason, not one line per message.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ANVIL_DEV_KEYS, type Anvil, deployOthenticShapedNetwork, startAnvil } from '@wisp/contracts/dev'
import { parseOperatorConfig } from '@wisp/operator'
import { createNodePeer, GOSSIP_KINDS, type WispNetwork } from '@wisp/p2p/node'
import { afterAll, describe, expect, it } from 'vitest'
import { createConsoleLogger, keysFromEcdsa, startWispNode, type WispNode } from '../src/index.js'
import { poll } from './support/othentic-dashboard.js'

describe('a Node operator’s log', () => {
  let anvil: Anvil | undefined
  let node: WispNode | undefined
  let mallory: WispNetwork | undefined
  let dataDir: string | undefined
  afterAll(async () => {
    await mallory?.stop()
    await node?.stop()
    await anvil?.stop()
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true })
  })

  it('garbage attestations from a peer: one warning naming the topic, reason and peer, then counts', async () => {
    anvil = await startAnvil()
    const key = ANVIL_DEV_KEYS[1]!
    const net = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      eventVersion: 2,
      operators: [{ ecdsaKey: key, votingPower: 10n ** 18n }],
      taskDefinitions: [{ name: 'hash-chain' }],
    })
    dataDir = mkdtempSync(join(tmpdir(), 'wisp-logs-'))
    const operator = parseOperatorConfig({
      version: 1,
      network: { name: 'logs', kind: 'local' },
      chain: {
        rpcUrl: anvil.rpcUrl,
        chainId: net.chainId,
        attestationCenter: net.contracts.attestationCenter,
        backend: 'othentic',
        fromBlock: Number(net.startBlock),
        pollingIntervalMs: 250,
      },
      p2p: { bootstrap: [], listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      roles: ['attester'],
      plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 5 } }],
      dataDir,
    })
    const lines: string[] = []
    node = await startWispNode(
      { name: 'attester', keys: keysFromEcdsa(key), operator, verifierWorkers: 0 },
      { logger: createConsoleLogger({ level: 'info', write: (line) => lines.push(line) }) },
    )
    const network = node.network
    mallory = await createNodePeer({ bootstrap: [], topicNamespace: network.topics.task.split('.p2p.')[0]! })
    await mallory.dial(network.getMultiaddrs()[0]!)
    await poll('mesh with mallory', () =>
      GOSSIP_KINDS.every((k) => network.meshPeers(k).includes(mallory!.peerId)) ? true : undefined,
    )
    for (let i = 0; i < 4; i++) {
      await mallory.libp2p.services.pubsub.publish(
        mallory.topics.attestation,
        Uint8Array.from([0xff, 0xff, i]),
      )
    }
    // a valid message after them on the same stream: once it is through, the garbage was judged
    const through = new Promise((resolve) => network.onMessage('customMessage', resolve))
    await mallory.publish('customMessage', { data: '0x01' })
    await through
    const first = await poll('the rejection warning', () =>
      lines.find((l) => l.includes('rejected 1 attestation message from 1 peer: malformed')),
    )
    expect(first).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[[^\\]]*/gossip\\] rejected 1 attestation message from 1 peer: malformed topic=attestation reason=malformed count=1 peers=\\["${mallory.peerId}"\\]$`,
      ),
    )
    // the other three are counted into a later line (at the latest when the node stops)
    await node.stop()
    node = undefined
    const rejected = lines.filter((l) => l.includes('WARN') && l.includes('attestation message'))
    expect(rejected.length).toBeLessThan(4)
    expect(rejected.at(-1)).toMatch(
      /rejected 3 attestation messages from 1 peer in \d+\.\d s: malformed topic=attestation reason=malformed count=3 /,
    )
  })
})
