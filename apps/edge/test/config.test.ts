// Bindings → config: every bad binding is a coded error naming it, never echoing a secret.
import { SecretKey } from '@wisp/bls'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type EdgeEnv, parseEdgeConfig, pluginRegistrations } from '../src/index.js'

const KEY = `0x${'11'.repeat(32)}` as const
const RELAY = '/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWQB1718wsf67xMEDpTEgnPgDBTGFZHQLCoL1W8ZYK98j4'
const base = (): EdgeEnv => ({
  ATTESTER: undefined as never,
  CHAIN_RPC_URL: 'http://127.0.0.1:8545',
  CHAIN_ID: '31337',
  ATTESTATION_CENTER: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  RELAYS: RELAY,
  OPERATOR_PRIVATE_KEY: KEY,
  PLUGINS: '[{"id":"@wisp/plugin-hash-chain","taskDefinitionIds":[1],"config":{"iterations":10}}]',
})

function codeOf(env: EdgeEnv): { code: string; message: string } {
  try {
    parseEdgeConfig(env)
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message }
  }
  throw new Error('did not throw')
}

describe('parseEdgeConfig', () => {
  it('reads the bindings with defaults, the address from the ECDSA key, secrets apart', () => {
    const { config, secrets } = parseEdgeConfig(base())
    expect(config).toMatchObject({
      chain: {
        rpcUrl: 'http://127.0.0.1:8545',
        chainId: 31337,
        attestationCenter: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      },
      relays: [RELAY],
      topicNamespace: 'othentic',
      operatorAddress: privateKeyToAccount(KEY).address,
      blsKey: 'derived-from-ecdsa',
      p2pValidation: 'full',
      electionWindowBlocks: 16n,
      roundRobinInterval: 1n,
      keepAliveMs: 30_000,
      adminEnabled: false,
    })
    expect(JSON.stringify(config, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('1111')
    expect(secrets).toEqual({ ecdsaKey: KEY })
  })

  it('takes a raw BLS key with an explicit address, relays as a JSON array or a list, JSON vars already parsed', () => {
    const bls = SecretKey.fromEcdsaPrivateKey(KEY)
    const { config, secrets } = parseEdgeConfig({
      ...base(),
      OPERATOR_PRIVATE_KEY: undefined,
      BLS_PRIVATE_KEY: `0x${Buffer.from(bls.toBytes()).toString('hex')}`,
      OPERATOR_ADDRESS: privateKeyToAccount(KEY).address.toLowerCase(),
      RELAYS: JSON.stringify([RELAY, RELAY.replace('9090', '9091')]),
      PLUGINS: [{ id: '@wisp/plugin-hash-chain', config: { iterations: 3 } }],
      CHAIN_ID: 17000,
    })
    expect(config.blsKey).toBe('raw')
    expect(config.relays).toHaveLength(2)
    expect(config.chain.chainId).toBe(17000)
    expect(secrets.blsKey).toMatch(/^0x[0-9a-f]{64}$/)
    expect(parseEdgeConfig({ ...base(), RELAYS: `${RELAY}, ${RELAY}` }).config.relays).toHaveLength(2)
  })

  it.each([
    ['CHAIN_RPC_URL', { CHAIN_RPC_URL: undefined }, /CHAIN_RPC_URL: is required/],
    ['CHAIN_RPC_URL', { CHAIN_RPC_URL: 'ws://x' }, /http/],
    ['CHAIN_ID', { CHAIN_ID: 'abc' }, /CHAIN_ID/],
    ['ATTESTATION_CENTER', { ATTESTATION_CENTER: '0x1234' }, /ATTESTATION_CENTER: is not an address/],
    ['RELAYS', { RELAYS: undefined }, /RELAYS/],
    ['RELAYS', { RELAYS: '/ip4/1.2.3.4/tcp/1/ws' }, /peer id/],
    ['keys', { OPERATOR_PRIVATE_KEY: undefined }, /OPERATOR_PRIVATE_KEY: is required/],
    [
      'OPERATOR_ADDRESS',
      { OPERATOR_ADDRESS: '0x0000000000000000000000000000000000000001' },
      /does not match/,
    ],
    ['PLUGINS', { PLUGINS: undefined }, /PLUGINS: is required/],
    ['PLUGINS', { PLUGINS: '{' }, /PLUGINS: is not valid JSON/],
    ['PLUGINS', { PLUGINS: '[{"id":"x","taskDefinitionIds":[70000]}]' }, /uint16/],
    ['P2P_VALIDATION', { P2P_VALIDATION: 'some' }, /P2P_VALIDATION/],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'short' }, /at least 16/],
    ['KEEPALIVE_MS', { KEEPALIVE_MS: '10' }, /KEEPALIVE_MS/],
  ])('refuses a bad %s with EDGE_INVALID_CONFIG', (_name, patch, message) => {
    const { code, message: text } = codeOf({ ...base(), ...patch } as EdgeEnv)
    expect(code).toBe('EDGE_INVALID_CONFIG')
    expect(text).toMatch(message)
  })

  it('never echoes a malformed secret', () => {
    const secret = `0x${'ab'.repeat(31)}zz`
    const { code, message } = codeOf({ ...base(), OPERATOR_PRIVATE_KEY: secret })
    expect(code).toBe('EDGE_INVALID_CONFIG')
    expect(message).not.toContain('abab')
  })
})

describe('bundled plugins', () => {
  it('registers bundled plugins and refuses others with EDGE_UNKNOWN_PLUGIN', () => {
    const [hash, price] = pluginRegistrations([
      { id: '@wisp/plugin-hash-chain', taskDefinitionIds: [1], config: { iterations: 5 } },
      {
        id: '@wisp/plugin-price-oracle',
        taskDefinitionIds: [2],
        config: {
          pair: 'ETH/USD',
          sources: [{ name: 'a', url: 'https://prices.example:8443/eth', path: 'p' }],
        },
      },
    ])
    expect(hash!.taskDefinitionIds).toEqual([1])
    // the fetch allow-list comes from the configured sources
    expect(
      (price!.plugin as { manifest: { capabilities: { fetch: string[] } } }).manifest.capabilities.fetch,
    ).toEqual(['prices.example:8443'])
    expect(() => pluginRegistrations([{ id: 'left-pad', config: {} }])).toThrow(
      expect.objectContaining({ code: 'EDGE_UNKNOWN_PLUGIN' }),
    )
  })
})
