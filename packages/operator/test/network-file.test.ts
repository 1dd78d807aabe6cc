// The network file: parsing (every bad field named), loading by path and by URL, and the operator
// config derived from it.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  loadNetworkFile,
  type NetworkFile,
  OperatorError,
  operatorConfigFromNetwork,
  parseNetworkFile,
  parseNetworkFileText,
} from '../src/index.js'

const RELAY = '/ip4/127.0.0.1/tcp/9100/ws/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const AC = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

const network = (): Record<string, unknown> => ({
  version: 1,
  name: 'test network',
  kind: 'testnet',
  chainId: 17000,
  rpcUrls: ['https://rpc-a.example', 'https://rpc-b.example'],
  backend: 'othentic',
  contracts: { attestationCenter: AC, operatorRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
  deploymentBlock: 1234,
  taskDefinitions: [
    { id: 1, name: 'hash chain', plugin: { package: '@wisp/plugin-hash-chain' }, config: { iterations: 10 } },
    {
      id: 2,
      name: 'hash chain too',
      plugin: { package: '@wisp/plugin-hash-chain' },
      config: { iterations: 10 },
    },
    { id: 3, name: 'no plugin here' },
  ],
  relays: [RELAY],
})

function problem(value: unknown): { code: string; path: unknown } {
  try {
    parseNetworkFile(value)
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError)
    const e = err as OperatorError
    return { code: e.code, path: (e.details as { path?: string }).path }
  }
  throw new Error('parsed')
}

describe('network file', () => {
  it('parses a complete file', () => {
    const file = parseNetworkFile(network())
    expect(file.backend).toBe('othentic')
    expect(file.taskDefinitions.map((d) => d.id)).toEqual([1, 2, 3])
    expect(file.relays).toEqual([RELAY])
  })

  it.each([
    [{ version: 2 }, 'network.version'],
    [{ kind: 'devnet' }, 'network.kind'],
    [{ backend: 'eigen' }, 'network.backend'],
    [{ rpcUrls: [] }, 'network.rpcUrls'],
    [{ rpcUrls: ['ftp://x'] }, 'network.rpcUrls[0]'],
    [{ chainId: 0 }, 'network.chainId'],
    [{ contracts: { attestationCenter: '0x12' } }, 'network.contracts.attestationCenter'],
    [{ contracts: { attestationCenter: AC, obls: AC } }, 'network.contracts.obls'],
    [{ deploymentBlock: -1 }, 'network.deploymentBlock'],
    [
      {
        taskDefinitions: [
          { id: 1, name: 'a' },
          { id: 1, name: 'b' },
        ],
      },
      'network.taskDefinitions[1].id',
    ],
    [{ taskDefinitions: [{ id: 1, name: 'a', config: {} }] }, 'network.taskDefinitions[0].config'],
    [
      { taskDefinitions: [{ id: 1, name: 'a', plugin: { url: 'https://x/p.js' } }] },
      'network.taskDefinitions[0].plugin.sha256',
    ],
    [{ relays: ['/ip4/127.0.0.1/tcp/1/ws'] }, 'network.relays[0]'],
    [{ faucet: { url: 'faucet' } }, 'network.faucet'],
    [{ extra: true }, 'network.extra'],
  ])('names the bad field: %j → %s', (patch, path) => {
    expect(problem({ ...network(), ...patch })).toEqual({ code: 'OPERATOR_INVALID_NETWORK_FILE', path })
  })

  it('a file that is not JSON names its source', () => {
    expect(() => parseNetworkFileText('{', 'net.json')).toThrow(/net\.json: not JSON/)
  })

  it('gives the operator config: RPC fallbacks, backend, relays, one plugin entry per plugin and config', () => {
    const config = operatorConfigFromNetwork(parseNetworkFile(network()), { roles: ['attester'] })
    expect(config.chain).toMatchObject({
      rpcUrl: 'https://rpc-a.example',
      rpcUrls: ['https://rpc-a.example', 'https://rpc-b.example'],
      chainId: 17000,
      attestationCenter: AC,
      backend: 'othentic',
      fromBlock: 1234,
    })
    expect(config.p2p.bootstrap).toEqual([RELAY])
    expect(config.plugins).toEqual([
      { package: '@wisp/plugin-hash-chain', config: { iterations: 10 }, taskDefinitionIds: [1, 2] },
    ])
    const own = operatorConfigFromNetwork(parseNetworkFile(network()), {
      bootstrap: [RELAY.replace('9100', '9200')],
      config: { performer: { taskDefinitionIds: [1] }, chain: { pollingIntervalMs: 500 } },
      roles: ['performer'],
    })
    expect(own.p2p.bootstrap[0]).toContain('9200')
    expect(own.chain.pollingIntervalMs).toBe(500)
  })

  it('loads by path and by URL; an unreadable one is coded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wisp-net-'))
    const path = join(dir, 'network.json')
    await writeFile(path, JSON.stringify(network()))
    expect((await loadNetworkFile(path)).name).toBe('test network')
    const server = createServer((req, res) => {
      if (req.url === '/network.json') res.end(JSON.stringify(network()))
      else res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      expect((await loadNetworkFile(`${base}/network.json`)).chainId).toBe(17000)
      await expect(loadNetworkFile(`${base}/missing.json`)).rejects.toMatchObject({
        code: 'OPERATOR_NETWORK_FILE_UNREADABLE',
      })
      await expect(loadNetworkFile(join(dir, 'nope.json'))).rejects.toMatchObject({
        code: 'OPERATOR_NETWORK_FILE_UNREADABLE',
      })
    } finally {
      server.close()
    }
  })

  it('keeps what a derived config needs valid: a file is a NetworkFile', () => {
    const file: NetworkFile = parseNetworkFile(network())
    expect(() => operatorConfigFromNetwork(file, { roles: ['performer'] })).toThrow(/performer/)
  })
})
