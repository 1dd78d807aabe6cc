// Bad input is refused before anything starts: one coded line naming the flag, exit code 2, no
// stack trace, nothing opened (no data directory is created).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'wisp-preflight-'))
const dataDir = join(dir, 'data')
const wisp = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(
    process.execPath,
    ['--conditions=@wisp/source', '--import', import.meta.resolve('tsx'), cli, ...args],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...env },
    },
  )
const key = `0x${'11'.repeat(32)}`
const center = '0x2222222222222222222222222222222222222222'
/** everything an attester needs, aimed at an RPC nobody answers */
const base = [
  '--chain-rpc',
  'http://127.0.0.1:1',
  '--attestation-center',
  center,
  '--private-key',
  key,
  '--p2p.datadir',
  dataDir,
]
const attester = (...args: string[]) => wisp(['attester', ...base, ...args])
/** --private-key replaced */
const withKey = (k: string, ...args: string[]) =>
  wisp(['attester', ...base.slice(0, 4), '--private-key', k, ...base.slice(6), ...args])

let busy: Server
let busyPort: number
beforeAll(async () => {
  busy = createServer()
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve))
  busyPort = (busy.address() as { port: number }).port
})
afterAll(() => {
  busy.close()
  rmSync(dir, { recursive: true, force: true })
})

function expectRefused(run: ReturnType<typeof wisp>, line: string) {
  expect(run.stderr).toBe(`${line}\n`)
  expect(run.status).toBe(2)
  expect(existsSync(dataDir)).toBe(false)
}

describe('keys', () => {
  it('an all-zero --private-key is NODE_BAD_KEY, exit 2', () => {
    expectRefused(
      withKey(`0x${'0'.repeat(64)}`),
      'wisp: NODE_BAD_KEY: --private-key is zero: not a valid secp256k1 private key',
    )
  })

  it('a --private-key at or above the curve order is NODE_BAD_KEY, exit 2', () => {
    expectRefused(
      withKey(`0x${'f'.repeat(64)}`),
      'wisp: NODE_BAD_KEY: --private-key is not below the secp256k1 group order: not a valid private key',
    )
  })

  it('a short --private-key (0x00) is NODE_BAD_KEY and is not echoed, exit 2', () => {
    expectRefused(
      wisp(['attester', '--private-key', '0x00']),
      'wisp: NODE_BAD_KEY: --private-key is not a private key: it must be 32 bytes of 0x-hex (64 digits), got 2',
    )
  })

  it('a missing --keystore file is NODE_BAD_KEY, exit 2', () => {
    expectRefused(
      wisp(['attester', ...base.slice(0, 4), '--keystore', 'missing.json', ...base.slice(6)], {
        WISP_PASSPHRASE: 'x',
      }),
      'wisp: NODE_BAD_KEY: --keystore missing.json: no such file',
    )
  })
})

describe('ports, addresses, URLs', () => {
  it('a busy --metrics port is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--metrics', String(busyPort)),
      `wisp: NODE_BAD_FLAGS: --metrics ${busyPort}: port ${busyPort} on 127.0.0.1 is already in use`,
    )
  })

  it('a --host that is not an IP address is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--host', 'example.com', '--json-rpc', '0'),
      'wisp: NODE_BAD_FLAGS: --host must be an IP address to listen on (e.g. 127.0.0.1 or 0.0.0.0), got "example.com"',
    )
  })

  it('a busy --json-rpc port is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--json-rpc', String(busyPort)),
      `wisp: NODE_BAD_FLAGS: --json-rpc ${busyPort}: port ${busyPort} on 127.0.0.1 is already in use`,
    )
  })

  it('a malformed --bootstrap multiaddr is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--bootstrap', '/ip4/300.0.0.1/tcp/9090/ws'),
      'wisp: NODE_BAD_FLAGS: --bootstrap "/ip4/300.0.0.1/tcp/9090/ws" is not a multiaddr: Invalid IPv4 address "300.0.0.1"',
    )
    expectRefused(
      attester('--bootstrap', '/ip4/127.0.0.1/tcp/9090/ws'),
      `wisp: NODE_BAD_FLAGS: --bootstrap "/ip4/127.0.0.1/tcp/9090/ws" must end in /p2p/<peer id> (the relay's address as it prints it)`,
    )
  })

  it('a malformed --p2p.listen multiaddr is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--p2p.listen', '/ip4/0.0.0.0/tcp/nine'),
      'wisp: NODE_BAD_FLAGS: --p2p.listen "/ip4/0.0.0.0/tcp/nine" is not a multiaddr: Value must be an integer',
    )
  })

  it('a --chain-rpc that is not an http(s) URL is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      wisp(['attester', '--chain-rpc', 'localhost:8545']),
      'wisp: NODE_BAD_FLAGS: --chain-rpc must be an http(s):// URL, got "localhost:8545"',
    )
    expectRefused(
      wisp(['attester', '--chain-rpc', 'ws://127.0.0.1:8545']),
      "wisp: NODE_BAD_FLAGS: --chain-rpc ws://127.0.0.1:8545: the node reaches the chain over HTTP(S) only; give the node's http(s):// endpoint",
    )
  })
})

describe('plugins', () => {
  it('a missing @file for --plugin-config is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--plugin-config', '@nope.json'),
      'wisp: NODE_BAD_FLAGS: --plugin-config @nope.json: cannot read nope.json (no such file)',
    )
  })

  it('a --network file: a bad field, an unknown plugin, --config beside it — each NODE_BAD_FLAGS naming the file and field', () => {
    const file = join(dir, 'network.json')
    const network = {
      version: 1,
      name: 'preflight',
      kind: 'testnet',
      chainId: 17000,
      rpcUrls: ['http://127.0.0.1:1'],
      backend: 'wisp',
      contracts: { attestationCenter: center },
      deploymentBlock: 0,
      taskDefinitions: [{ id: 1, name: 'a', plugin: { package: '@acme/nope' }, config: {} }],
      relays: [],
    }
    const run = (...args: string[]) =>
      wisp(['attester', '--private-key', key, '--p2p.datadir', dataDir, ...args])
    writeFileSync(file, JSON.stringify(network))
    expectRefused(
      run('--network', 'network.json'),
      'wisp: NODE_BAD_FLAGS: --network network.json: network.taskDefinitions[0].plugin.package: @acme/nope is neither bundled (@wisp/plugin-hash-chain, @wisp/plugin-price-oracle) nor installed here',
    )
    writeFileSync(file, JSON.stringify({ ...network, rpcUrls: [] }))
    expectRefused(
      run('--network', 'network.json'),
      'wisp: NODE_BAD_FLAGS: --network network.json: network.rpcUrls: must list at least one JSON-RPC URL',
    )
    expectRefused(
      run('--network', 'network.json', '--config', 'x.json'),
      'wisp: NODE_BAD_FLAGS: give --network or --config, not both (an operator config already names its network)',
    )
  })

  it('an unknown plugin package is NODE_BAD_FLAGS, exit 2', () => {
    expectRefused(
      attester('--plugin', '@wisp/plugin-nope'),
      'wisp: NODE_BAD_FLAGS: --plugin @wisp/plugin-nope: no such package (install it where @wisp/node is installed, or give a ./path)',
    )
  })

  it('a plugin config its schema refuses is NODE_BAD_FLAGS before anything opens, exit 2', () => {
    expectRefused(
      attester(
        '--plugin',
        '@wisp/plugin-hash-chain',
        '--plugin-config',
        '{"@wisp/plugin-hash-chain":{"iterations":0}}',
      ),
      'wisp: NODE_BAD_FLAGS: --plugin-config: invalid config for @wisp/plugin-hash-chain: /iterations must be ≥ 1',
    )
  })

  it('a --plugin-config key that matches no loaded plugin is a warning naming the key and the loaded ids', () => {
    const run = attester('--plugin', '@wisp/plugin-hash-chain', '--plugin-config', '{"iterations":2000}')
    const [warning, error] = run.stderr.split('\n')
    expect(warning).toBe(
      'wisp: warning: --plugin-config key "iterations" matches no loaded plugin (loaded: @wisp/plugin-hash-chain); the config is keyed by plugin id: {"<id>": {...}}',
    )
    // then it goes on, up to the unreachable RPC
    expect(error).toMatch(/^wisp: NODE_RPC_UNREACHABLE: --chain-rpc http:\/\/127\.0\.0\.1:1: /)
    expect(run.status).toBe(1)
  })

  it('--plugin @wisp/plugin-price-oracle with its config passes every check (up to the RPC)', () => {
    const config = {
      '@wisp/plugin-price-oracle': {
        pair: 'ETH/USD',
        sources: [{ name: 'local', url: 'http://127.0.0.1:8081/price', path: 'price' }],
      },
    }
    const run = attester('--plugin', '@wisp/plugin-price-oracle', '--plugin-config', JSON.stringify(config))
    expect(run.stderr).toMatch(/^wisp: NODE_RPC_UNREACHABLE: /)
    expect(run.status).toBe(1)
  })

  it('a plugin from a ./path is imported relative to the current directory', () => {
    writeFileSync(join(dir, 'not-a-plugin.mjs'), 'export default 42\n')
    expectRefused(
      attester('--plugin', './not-a-plugin.mjs'),
      `wisp: NODE_BAD_FLAGS: --plugin ./not-a-plugin.mjs: ${new URL(`file://${join(dir, 'not-a-plugin.mjs')}`).href} does not default-export a plugin made with definePlugin()`,
    )
  })
})

describe('--config: the operator config file', () => {
  const file = (name: string, content: unknown) => {
    const path = join(dir, name)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return name
  }
  const config = {
    version: 1,
    network: { name: 'test', kind: 'local' },
    chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, attestationCenter: center },
    p2p: { bootstrap: [] },
    plugins: [{ package: '@wisp/plugin-hash-chain', config: { iterations: 10 } }],
  }
  const withConfig = (name: string, ...args: string[]) =>
    wisp(['attester', '--config', name, '--private-key', key, '--p2p.datadir', dataDir, ...args])

  it('a missing file, broken JSON or a bad field is one line naming the file and the field', () => {
    expectRefused(withConfig('nope.json'), 'wisp: NODE_BAD_FLAGS: --config nope.json: no such file')
    expect(withConfig(file('broken.json', '{')).stderr).toMatch(
      /^wisp: NODE_BAD_FLAGS: --config broken\.json: not JSON \(/,
    )
    expectRefused(
      withConfig(file('bad.json', { ...config, chain: { ...config.chain, attestationCenter: '0x12' } })),
      'wisp: NODE_BAD_FLAGS: --config bad.json: config.chain.attestationCenter: must be a 0x-prefixed 20-byte address',
    )
  })

  it('stands in for --chain-rpc and --attestation-center, then starts up to the chain (CHAIN_* codes pass through)', () => {
    const run = withConfig(file('ok.json', config))
    expect(run.stderr).toMatch(/wisp: CHAIN_RPC_FAILED: /)
    expect(run.status).toBe(1)
  })

  it('flags override the file', () => {
    const run = withConfig(file('ok2.json', config), '--attestation-center', '0x12')
    expectRefused(
      run,
      'wisp: NODE_BAD_FLAGS: --attestation-center must be a 0x-prefixed 20-byte address, got "0x12"',
    )
  })
})

describe('wisp CLI basics', () => {
  it('prints usage', () => {
    const run = wisp(['--help'])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('wisp <command>')
  })

  it('refuses bad flags with NODE_BAD_FLAGS and exit code 2', () => {
    for (const args of [
      ['nonsense'],
      ['attester', '--no-such-flag'],
      ['attester', '--attestation-center', center, '--private-key', key],
      ['attester', '--chain-rpc', 'http://127.0.0.1:1', '--attestation-center', 'nope', '--private-key', key],
      ['attester', '--chain-rpc', 'http://127.0.0.1:1', '--attestation-center', center],
      [
        'performer',
        '--chain-rpc',
        'http://127.0.0.1:1',
        '--attestation-center',
        center,
        '--private-key',
        key,
      ],
      [
        'aggregator',
        '--chain-rpc',
        'http://127.0.0.1:1',
        '--attestation-center',
        center,
        '--private-key',
        key,
        '--delay',
        'soon',
      ],
    ]) {
      const run = wisp(args)
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr, args.join(' ')).toMatch(/^wisp: NODE_BAD_FLAGS: /)
    }
  })

  it('an unreachable RPC is NODE_RPC_UNREACHABLE, exit code 1', () => {
    const run = wisp(['aggregator', ...base])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/NODE_RPC_UNREACHABLE/)
  })
})
