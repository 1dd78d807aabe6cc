// Bindings → config: the operator config is WISP_CONFIG (the file every runtime reads), checked by
// @wisp/operator and then for what workerd can run; every bad binding or field is a coded error
// naming the binding and the field path, never echoing a secret.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SecretKey } from '@wisp/bls'
import { bundledPlugins, OPERATOR_DEFAULTS } from '@wisp/operator'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type EdgeEnv, loadEdgeNetwork, parseEdgeConfig, parseWispConfig, shownConfig } from '../src/index.js'

const KEY = `0x${'11'.repeat(32)}` as const
const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWQB1718wsf67xMEDpTEgnPgDBTGFZHQLCoL1W8ZYK98j4'
const CENTER = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const wispConfig = (patch: Record<string, unknown> = {}) => ({
  version: 1,
  network: { name: 'test network', kind: 'local' },
  chain: { rpcUrl: 'http://127.0.0.1:8545/v1/secret-api-key', chainId: 31337, attestationCenter: CENTER },
  p2p: { bootstrap: [RELAY] },
  plugins: [{ package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 10 } }],
  ...patch,
})
const base = (config: unknown = wispConfig()): EdgeEnv => ({
  ATTESTER: undefined as never,
  WISP_CONFIG: JSON.stringify(config),
  OPERATOR_PRIVATE_KEY: KEY,
})

function errorOf(env: EdgeEnv): { code: string; message: string; details: Record<string, unknown> } {
  try {
    parseEdgeConfig(env)
  } catch (err) {
    const e = err as { code: string; message: string; details: Record<string, unknown> }
    return { code: e.code, message: e.message, details: e.details }
  }
  throw new Error('did not throw')
}

describe('parseEdgeConfig', () => {
  it('reads WISP_CONFIG with the operator defaults, the address from the ECDSA key, secrets apart', () => {
    const { config, secrets } = parseEdgeConfig(base())
    expect(config).toMatchObject({
      operator: {
        roles: ['attester'],
        chain: {
          rpcUrl: 'http://127.0.0.1:8545/v1/secret-api-key',
          chainId: 31337,
          attestationCenter: CENTER,
        },
        p2p: {
          bootstrap: [RELAY],
          topicNamespace: OPERATOR_DEFAULTS.p2p.topicNamespace,
          validation: OPERATOR_DEFAULTS.p2p.validation,
        },
        election: OPERATOR_DEFAULTS.election,
        attester: OPERATOR_DEFAULTS.attester,
      },
      operatorAddress: privateKeyToAccount(KEY).address,
      blsKey: 'derived-from-ecdsa',
      keepAliveMs: 30_000,
      adminEnabled: false,
      logLevel: 'info',
    })
    expect(JSON.stringify(config)).not.toContain('1111')
    expect(secrets).toEqual({ ecdsaKey: KEY })
  })

  it('takes WISP_CONFIG already parsed (a JSON [vars] entry), a raw BLS key with an explicit address', () => {
    const bls = SecretKey.fromEcdsaPrivateKey(KEY)
    const { config, secrets } = parseEdgeConfig({
      ...base(),
      WISP_CONFIG: wispConfig({
        roles: ['attester'],
        p2p: { bootstrap: [RELAY, RELAY.replace('9090', '9091')] },
      }),
      OPERATOR_PRIVATE_KEY: undefined,
      BLS_PRIVATE_KEY: `0x${Buffer.from(bls.toBytes()).toString('hex')}`,
      OPERATOR_ADDRESS: privateKeyToAccount(KEY).address.toLowerCase(),
      KEEPALIVE_MS: 5000,
    })
    expect(config.blsKey).toBe('raw')
    expect(config.operator.p2p.bootstrap).toHaveLength(2)
    expect(config.keepAliveMs).toBe(5000)
    expect(secrets.blsKey).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it.each([
    [
      'a missing WISP_CONFIG',
      { WISP_CONFIG: undefined },
      'WISP_CONFIG',
      undefined,
      /WISP_CONFIG: is required/,
    ],
    ['WISP_CONFIG that is not JSON', { WISP_CONFIG: '{' }, 'WISP_CONFIG', 'config', /not JSON/],
    [
      'a field the shared schema refuses',
      { WISP_CONFIG: JSON.stringify(wispConfig({ chain: { chainId: 31337, attestationCenter: CENTER } })) },
      'WISP_CONFIG',
      'config.chain.rpcUrl',
      /^WISP_CONFIG: config\.chain\.rpcUrl: /,
    ],
    [
      'a relay workerd cannot dial (TCP)',
      {
        WISP_CONFIG: JSON.stringify(wispConfig({ p2p: { bootstrap: [RELAY.replace('/ws/', '/')] } })),
      },
      'WISP_CONFIG',
      'config.p2p.bootstrap[0]',
      /^WISP_CONFIG: config\.p2p\.bootstrap\[0\]: workerd can only dial WebSockets/,
    ],
    [
      'a relay without a peer id',
      { WISP_CONFIG: JSON.stringify(wispConfig({ p2p: { bootstrap: ['/ip4/1.2.3.4/tcp/1/ws'] } })) },
      'WISP_CONFIG',
      'config.p2p.bootstrap[0]',
      /config\.p2p\.bootstrap\[0\]: must end in \/p2p\/<peer id>/,
    ],
    [
      'no relay',
      { WISP_CONFIG: JSON.stringify(wispConfig({ p2p: { bootstrap: [] } })) },
      'WISP_CONFIG',
      'config.p2p.bootstrap',
      /at least one relay/,
    ],
    [
      'another role',
      { WISP_CONFIG: JSON.stringify(wispConfig({ roles: ['attester', 'aggregator'] })) },
      'WISP_CONFIG',
      'config.roles',
      /^WISP_CONFIG: config\.roles: an edge worker runs the attester role only/,
    ],
    [
      'a WebSocket RPC',
      {
        WISP_CONFIG: JSON.stringify(
          wispConfig({ chain: { rpcUrl: 'ws://127.0.0.1:8545', chainId: 31337, attestationCenter: CENTER } }),
        ),
      },
      'WISP_CONFIG',
      'config.chain.rpcUrl',
      /http\(s\)/,
    ],
    [
      'no plugins',
      { WISP_CONFIG: JSON.stringify(wispConfig({ plugins: [] })) },
      'WISP_CONFIG',
      'config.plugins',
      /config\.plugins: needs the bundled plugins/,
    ],
    [
      'a plugin that is not bundled',
      { WISP_CONFIG: JSON.stringify(wispConfig({ plugins: [{ package: 'left-pad', config: {} }] })) },
      'WISP_CONFIG',
      'config.plugins[0].package',
      /left-pad is not bundled into this worker \(bundled: @wisp\/plugin-hash-chain, @wisp\/plugin-price-oracle\)/,
    ],
    [
      'a URL plugin',
      {
        WISP_CONFIG: JSON.stringify(
          wispConfig({ plugins: [{ url: 'https://x.example/p.js', sha256: 'ab'.repeat(32), config: {} }] }),
        ),
      },
      'WISP_CONFIG',
      'config.plugins[0].url',
      /bundled plugins only/,
    ],
    [
      'an old per-field binding',
      { RELAYS: RELAY },
      'RELAYS',
      undefined,
      /^RELAYS: is no longer read: set config\.p2p\.bootstrap in WISP_CONFIG instead$/,
    ],
    ['no key', { OPERATOR_PRIVATE_KEY: undefined }, 'OPERATOR_PRIVATE_KEY', undefined, /is required/],
    [
      'an address that is not the key’s',
      { OPERATOR_ADDRESS: '0x0000000000000000000000000000000000000001' },
      'OPERATOR_ADDRESS',
      undefined,
      /does not match/,
    ],
    ['a short ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN', undefined, /at least 16/],
    ['a tiny KEEPALIVE_MS', { KEEPALIVE_MS: '10' }, 'KEEPALIVE_MS', undefined, /between/],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL', undefined, /debug, info, warn or error/],
  ])(
    'refuses %s with EDGE_INVALID_CONFIG naming the binding and the field',
    (_what, patch, binding, path, message) => {
      const error = errorOf({ ...base(), ...patch } as EdgeEnv)
      expect(error.code).toBe('EDGE_INVALID_CONFIG')
      expect(error.message).toMatch(message)
      expect(error.details.binding).toBe(binding)
      expect(error.details.path).toBe(path)
    },
  )

  it('accepts the WISP_CONFIG of wrangler.example.toml', () => {
    const toml = readFileSync(join(import.meta.dirname, '..', 'wrangler.example.toml'), 'utf8')
    const example = /^WISP_CONFIG = """\n([\s\S]*?)\n"""$/m.exec(toml)?.[1]
    expect(example).toBeDefined()
    expect(parseWispConfig(example).p2p.bootstrap[0]).toMatch(/\/wss\/p2p\//)
  })

  it('never echoes a malformed secret', () => {
    const secret = `0x${'ab'.repeat(31)}zz`
    const { code, message } = errorOf({ ...base(), OPERATOR_PRIVATE_KEY: secret })
    expect(code).toBe('EDGE_INVALID_CONFIG')
    expect(message).not.toContain('abab')
  })

  it('shows the config without what may carry an API key (RPC path, plugin configs)', () => {
    const { config } = parseEdgeConfig({
      ...base(
        wispConfig({
          plugins: [
            {
              package: '@wisp/plugin-price-oracle',
              taskDefinitionIds: [2],
              config: {
                pair: 'ETH/USD',
                sources: [{ name: 'a', url: 'https://prices.example/eth?apikey=hunter2', path: 'p' }],
              },
            },
          ],
        }),
      ),
      ADMIN_TOKEN: 'admin-token-0123456789',
    })
    const shown = shownConfig(config)
    expect(shown).toMatchObject({
      adminEnabled: true,
      operator: {
        chain: { rpcHost: '127.0.0.1:8545', chainId: 31337 },
        plugins: [{ package: '@wisp/plugin-price-oracle', taskDefinitionIds: [2] }],
      },
    })
    const text = JSON.stringify(shown)
    expect(text).not.toContain('secret-api-key')
    expect(text).not.toContain('hunter2')
    expect(text).not.toContain('admin-token')
  })
})

describe('WISP_NETWORK_URL: the network file instead of WISP_CONFIG', () => {
  const network = (patch: Record<string, unknown> = {}) => ({
    version: 1,
    name: 'test network',
    kind: 'testnet',
    chainId: 17000,
    rpcUrls: ['https://rpc-a.example', 'https://rpc-b.example'],
    backend: 'wisp',
    contracts: { attestationCenter: CENTER },
    deploymentBlock: 7,
    taskDefinitions: [{ id: 1, name: 'hash', plugin: { package: '@wisp/plugin-hash-chain' }, config: {} }],
    relays: [RELAY],
    ...patch,
  })
  const serve =
    (body: unknown, status = 200) =>
    async (url: string) => {
      expect(url).toBe('https://net.example/network.json')
      return { ok: status === 200, status, text: async () => JSON.stringify(body) }
    }
  const env = (): EdgeEnv => ({
    ATTESTER: undefined as never,
    WISP_NETWORK_URL: 'https://net.example/network.json',
    OPERATOR_PRIVATE_KEY: KEY,
  })

  it('fetches it and derives the attester config (RPC fallbacks, relays, plugins)', async () => {
    const file = await loadEdgeNetwork(env(), serve(network()))
    const { config } = parseEdgeConfig(env(), file)
    expect(config.operator.chain).toMatchObject({ chainId: 17000, rpcUrls: network().rpcUrls, fromBlock: 7 })
    expect(config.operator.p2p.bootstrap).toEqual([RELAY])
    expect(config.operator.plugins).toEqual([
      { package: '@wisp/plugin-hash-chain', config: {}, taskDefinitionIds: [1] },
    ])
  })

  it('names the binding and the field; refuses both bindings', async () => {
    await expect(loadEdgeNetwork(env(), serve(network({ backend: 'x' })))).rejects.toThrow(
      /^WISP_NETWORK_URL: network\.backend: must be wisp or othentic/,
    )
    await expect(loadEdgeNetwork(env(), serve({}, 404))).rejects.toMatchObject({
      code: 'EDGE_INVALID_CONFIG',
      message: expect.stringMatching(/WISP_NETWORK_URL: cannot read the network file .*HTTP 404/),
    })
    await expect(loadEdgeNetwork({ ...env(), WISP_CONFIG: '{}' }, serve(network()))).rejects.toThrow(
      /not both/,
    )
    const tcp = await loadEdgeNetwork(env(), serve(network({ relays: [RELAY.replace('/ws', '')] })))
    expect(() => parseEdgeConfig(env(), tcp)).toThrow(/^WISP_NETWORK_URL: config\.p2p\.bootstrap\[0\]/)
  })
})

describe('bundled plugins (the shared catalogue)', () => {
  it('builds the config’s plugins; the price oracle may fetch the hosts of its sources', async () => {
    const { config } = parseEdgeConfig(
      base(
        wispConfig({
          plugins: [
            { package: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 5 } },
            {
              package: '@wisp/plugin-price-oracle',
              taskDefinitionIds: [2],
              config: {
                pair: 'ETH/USD',
                sources: [{ name: 'a', url: 'https://prices.example:8443/eth', path: 'p' }],
              },
            },
          ],
        }),
      ),
    )
    const loaded = await bundledPlugins(config.operator, 'edge')
    const [hash, price] = loaded.registrations
    expect(hash!.taskDefinitionIds).toEqual([1])
    expect(
      (price!.plugin as { manifest: { capabilities: { fetch: string[] } } }).manifest.capabilities.fetch,
    ).toEqual(['prices.example:8443'])
    expect(loaded.described.map((d) => d.source)).toEqual(['bundled', 'bundled'])
  })
})
