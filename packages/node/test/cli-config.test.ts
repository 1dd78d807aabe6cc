// The flags → node config mapping (one function, node-config.ts) and plugins loaded by name.
import { loadPluginModule } from '@wisp/core'
import { DEFAULT_PRICE_HOSTS } from '@wisp/plugin-price-oracle'
import { describe, expect, it } from 'vitest'
import { nodeConfigOf } from '../src/node-config.js'
import type { NodePlan } from '../src/preflight.js'
import { keysFromEcdsa } from '../src/signers.js'

const relay = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const plan = (patch: Partial<NodePlan> = {}): NodePlan => ({
  command: 'performer',
  keys: keysFromEcdsa(`0x${'11'.repeat(32)}`),
  chain: { rpcUrl: 'http://127.0.0.1:8545', attestationCenter: `0x${'22'.repeat(20)}` },
  p2p: { bootstrap: [relay], listen: [], announce: [] },
  dataDir: '.wisp/performer',
  metricsPort: 9464,
  plugins: [
    { package: '@wisp/plugin-hash-chain', id: '@wisp/plugin-hash-chain', config: { iterations: 10 } },
  ],
  performer: { taskDefinitionIds: [1], signatureType: 'bls', intervalMs: 0, everyBlocks: 3 },
  aggregatorDelayMs: 0,
  internalTasks: false,
  aggregatorLatency: {},
  jsonRpcLimits: {},
  logLevel: 'info',
  warnings: [],
  ...patch,
})

describe('nodeConfigOf', () => {
  it('maps the checked flags onto the operator config', () => {
    const config = nodeConfigOf(plan(), 31337)
    expect(config.name).toBe('performer')
    expect(config.dataDir).toBe('.wisp/performer')
    const op = config.operator
    expect(op.roles).toEqual(['performer'])
    expect(op.network).toEqual({ name: 'wisp performer', kind: 'local' })
    expect(op.chain).toMatchObject({
      rpcUrl: 'http://127.0.0.1:8545',
      chainId: 31337,
      attestationCenter: `0x${'22'.repeat(20)}`,
    })
    expect(op.p2p).toMatchObject({ bootstrap: [relay], listen: [] })
    expect(op.performer).toEqual({
      taskDefinitionIds: [1],
      signatureType: 'bls',
      intervalMs: 0,
      everyBlocks: 3,
    })
    expect(op.plugins).toEqual([{ package: '@wisp/plugin-hash-chain', config: { iterations: 10 } }])
    expect(op.metrics).toEqual({ port: 9464, host: '127.0.0.1' })
    expect(op.jsonRpc).toBeUndefined()
    expect(op.attester.validationService).toBeUndefined()
  })

  it('--host binds JSON-RPC and metrics beyond loopback (another container can reach them)', () => {
    const op = nodeConfigOf(plan({ jsonRpcPort: 8545, serverHost: '0.0.0.0' }), 31337).operator
    expect(op.jsonRpc).toEqual({ port: 8545, host: '0.0.0.0' })
    expect(op.metrics).toEqual({ port: 9464, host: '0.0.0.0' })
  })

  it('an attester with --avs-webapi validates through it; an aggregator gets its --delay', () => {
    const attester = nodeConfigOf(
      plan({ command: 'attester', validationServiceUrl: 'http://127.0.0.1:4002' }),
      17000,
    ).operator
    expect(attester.attester.validationService).toEqual({ url: 'http://127.0.0.1:4002' })
    expect(attester.network.kind).toBe('mainnet')
    const aggregator = nodeConfigOf(
      plan({ command: 'aggregator', aggregatorDelayMs: 500, jsonRpcPort: 8546 }),
      1,
    ).operator
    expect(aggregator.aggregator.delayMs).toBe(500)
    expect(aggregator.jsonRpc).toEqual({ port: 8546, host: '127.0.0.1' })
  })

  it('what the operator config refuses is NODE_BAD_FLAGS naming the flag', () => {
    expect(() =>
      nodeConfigOf(
        plan({ p2p: { bootstrap: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/x'], listen: [], announce: [] } }),
        1,
      ),
    ).toThrowError(
      expect.objectContaining({
        code: 'NODE_BAD_FLAGS',
        message: expect.stringMatching(/^--bootstrap: config\.p2p\.bootstrap\[0\]: /),
      }),
    )
  })
})

describe('plugins by package name', () => {
  it("loadPluginModule('@wisp/plugin-price-oracle') gets the default export, a definePlugin() plugin", async () => {
    const plugin = await loadPluginModule('@wisp/plugin-price-oracle', (s) => import(s))
    expect(plugin.kind).toBe('wisp-plugin')
    expect(plugin.manifest.id).toBe('@wisp/plugin-price-oracle')
    expect(plugin.manifest.taskDefinitionIds).toEqual([0])
    // the hosts it may fetch stay a fixed, documented list
    expect(plugin.manifest.capabilities.fetch).toEqual([...DEFAULT_PRICE_HOSTS])
  })

  it("loadPluginModule('@wisp/plugin-hash-chain') too", async () => {
    const plugin = await loadPluginModule('@wisp/plugin-hash-chain', (s) => import(s))
    expect(plugin.manifest.id).toBe('@wisp/plugin-hash-chain')
  })
})

describe('wisp relay flags', () => {
  it('--peer names other relays to federate with; an address without its peer id is refused', async () => {
    const { preflightRelay } = await import('../src/preflight.js')
    const plan = await preflightRelay({ 'p2p.listen': ['/ip4/127.0.0.1/tcp/0/ws'], peer: [relay] })
    expect(plan.peers).toEqual([relay])
    await expect(
      preflightRelay({ 'p2p.listen': ['/ip4/127.0.0.1/tcp/0/ws'], peer: ['/ip4/127.0.0.1/tcp/9090/ws'] }),
    ).rejects.toMatchObject({
      code: 'NODE_BAD_FLAGS',
      message: expect.stringContaining('--peer "/ip4/127.0.0.1/tcp/9090/ws" must end in /p2p/<peer id>'),
    })
  })
})
