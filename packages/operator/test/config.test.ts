import { describe, expect, it } from 'vitest'
import {
  BUNDLED_PLUGINS,
  bundledPlugins,
  createBundledPlugin,
  OPERATOR_DEFAULTS,
  OperatorError,
  parseOperatorConfig,
  parseOperatorConfigText,
} from '../src/index.js'

const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const minimal = {
  version: 1,
  network: { name: 'unit', kind: 'local' },
  chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, attestationCenter: `0x${'11'.repeat(20)}` },
  p2p: { bootstrap: [RELAY] },
  plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 10 } }],
}

function pathOf(value: unknown): string | undefined {
  try {
    parseOperatorConfig(value)
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError)
    expect((err as OperatorError).code).toBe('OPERATOR_INVALID_CONFIG')
    const path = (err as OperatorError).details.path as string
    expect((err as Error).message.startsWith(`${path}: `)).toBe(true)
    return path
  }
  return undefined
}

describe('parseOperatorConfig', () => {
  it('fills every default from OPERATOR_DEFAULTS', () => {
    const c = parseOperatorConfig(minimal)
    expect(c.roles).toEqual(['attester'])
    expect(c.election).toEqual(OPERATOR_DEFAULTS.election)
    expect(c.attester).toEqual(OPERATOR_DEFAULTS.attester)
    expect(c.aggregator).toEqual(OPERATOR_DEFAULTS.aggregator)
    expect(c.chain.rpcRetryCount).toBe(OPERATOR_DEFAULTS.chain.rpcRetryCount)
    expect(c.p2p).toMatchObject({ bootstrap: [RELAY], listen: [], topicNamespace: 'othentic', auth: false })
  })

  it('p2p.receiveVotes: false only for a node that neither aggregates nor watches', () => {
    const p2p = { ...minimal.p2p, receiveVotes: false }
    expect(parseOperatorConfig({ ...minimal, p2p }).p2p.receiveVotes).toBe(false)
    expect(parseOperatorConfig(minimal).p2p.receiveVotes).toBeUndefined()
    expect(pathOf({ ...minimal, p2p, roles: ['attester', 'aggregator'] })).toBe('config.p2p.receiveVotes')
    expect(pathOf({ ...minimal, p2p, roles: ['watchtower'] })).toBe('config.p2p.receiveVotes')
    expect(pathOf({ ...minimal, p2p: { ...minimal.p2p, receiveVotes: 'no' } })).toBe(
      'config.p2p.receiveVotes',
    )
  })

  it('is idempotent: a parsed config parses to itself (runtimes pass it on)', () => {
    const c = parseOperatorConfig({ ...minimal, jsonRpc: { port: 0 }, election: { performerIds: [1] } })
    expect(parseOperatorConfig(JSON.parse(JSON.stringify(c)))).toEqual(c)
  })

  it('names the first bad field', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...minimal, version: 2 }, 'config.version'],
      [{ ...minimal, extra: 1 }, 'config.extra'],
      [{ ...minimal, network: { name: 'x', kind: 'moon' } }, 'config.network.kind'],
      [
        { ...minimal, chain: { ...minimal.chain, attestationCenter: '0x12' } },
        'config.chain.attestationCenter',
      ],
      [{ ...minimal, chain: { ...minimal.chain, rpcUrl: 'ftp://x' } }, 'config.chain.rpcUrl'],
      [{ ...minimal, chain: { ...minimal.chain, chainId: 0 } }, 'config.chain.chainId'],
      [{ ...minimal, p2p: { bootstrap: ['not a multiaddr'] } }, 'config.p2p.bootstrap[0]'],
      [{ ...minimal, p2p: { bootstrap: ['/ip4/1.2.3.4/tcp/1/ws'] } }, 'config.p2p.bootstrap[0]'],
      [{ ...minimal, p2p: { bootstrap: [RELAY], validation: 'some' } }, 'config.p2p.validation'],
      [{ ...minimal, roles: ['relay'] }, 'config.roles[0]'],
      [{ ...minimal, roles: ['performer'] }, 'config.performer.taskDefinitionIds'],
      [{ ...minimal, election: { windowBlocks: -1 } }, 'config.election.windowBlocks'],
      [{ ...minimal, election: { performerIds: [] } }, 'config.election.performerIds'],
      [
        { ...minimal, attester: { validationService: { url: 'x' } } },
        'config.attester.validationService.url',
      ],
      [
        { ...minimal, plugins: [{ url: 'https://x/p.mjs', sha256: 'abc', config: {} }] },
        'config.plugins[0].sha256',
      ],
      [{ ...minimal, plugins: [{ package: '@wisp/plugin-hash-chain' }] }, 'config.plugins[0].config'],
      [{ ...minimal, plugins: [{ config: {} }] }, 'config.plugins[0]'],
      [{ ...minimal, jsonRpc: { port: 70_000 } }, 'config.jsonRpc.port'],
    ]
    for (const [value, path] of cases) expect(pathOf(value), path).toBe(path)
  })

  it('reports JSON syntax errors as OPERATOR_INVALID_CONFIG naming the source', () => {
    expect(() => parseOperatorConfigText('{', 'network.json')).toThrow(/^network\.json: not JSON/)
  })
})

describe('the bundled plugin catalogue', () => {
  it('builds every bundled plugin under its package name', () => {
    for (const [name, entry] of BUNDLED_PLUGINS) {
      const plugin = createBundledPlugin({ package: name, config: {} })
      expect(plugin.manifest.id).toBe(entry.package)
    }
  })

  it('refuses an unknown package and URL plugins where only bundled ones run', async () => {
    const unknown = parseOperatorConfig({ ...minimal, plugins: [{ package: '@acme/nope', config: {} }] })
    await expect(bundledPlugins(unknown, 'edge')).rejects.toMatchObject({ code: 'OPERATOR_UNKNOWN_PLUGIN' })
    const url = parseOperatorConfig({
      ...minimal,
      plugins: [{ url: 'https://x/p.mjs', sha256: 'ab'.repeat(32), config: {} }],
    })
    await expect(bundledPlugins(url, 'edge')).rejects.toMatchObject({
      code: 'OPERATOR_UNKNOWN_PLUGIN',
      details: { path: 'config.plugins[0]' },
    })
    const ok = await bundledPlugins(parseOperatorConfig(minimal), 'edge')
    expect(ok.described).toEqual([
      {
        id: '@wisp/plugin-hash-chain',
        version: expect.any(String),
        taskDefinitionIds: [1],
        source: 'bundled',
      },
    ])
  })
})
