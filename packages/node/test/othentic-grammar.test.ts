// Othentic's command line (`wisp run <role> [bootstrap…]`, its flags, defaults and environment)
// reaches the same node config as Wisp's own flags; bad values are one coded line naming the flag
// or the environment variable that gave them.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { peerIdFromSeed } from '@wisp/p2p'
import { afterAll, describe, expect, it } from 'vitest'
import { type FlagValues, parseCommandLine } from '../src/flags.js'
import { nodeConfigOf } from '../src/node-config.js'
import { environmentValues, preflightNode } from '../src/preflight.js'

const bootstrapId = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
const bootstrap = `/ip4/127.0.0.1/tcp/9876/p2p/${bootstrapId}`
const key = `0x${'11'.repeat(32)}`
const center = '0x2222222222222222222222222222222222222222'
const dir = mkdtempSync(join(tmpdir(), 'wisp-othentic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Othentic's example environment (one for every service), on loopback */
const env = {
  PRIVATE_KEY: key,
  L1_RPC: 'http://127.0.0.1:1',
  L1_CHAIN: 'holesky',
  L2_RPC: 'http://127.0.0.1:2',
  L2_CHAIN: 'anvil',
  ATTESTATION_CENTER_ADDRESS: center,
  AVS_GOVERNANCE_ADDRESS: '0x3333333333333333333333333333333333333333',
  INTERNAL_TASKS: 'true',
}

function run(argv: string[]): { command: string; values: FlagValues; grammar: string } {
  const line = parseCommandLine(argv)
  if (line.kind !== 'run') throw new Error(`not a run: ${line.kind}`)
  return line
}

async function configOf(argv: string[], environment: Record<string, string> = env) {
  const line = run(argv)
  const command = line.command as 'attester' | 'aggregator' | 'performer'
  const plan = await preflightNode(command, line.values, { env: environment, cwd: dir })
  return { plan, config: nodeConfigOf(plan, plan.chain.chainId ?? 31337, line.grammar as 'othentic') }
}

describe("wisp run: Othentic's grammar", () => {
  it('an attester: the positional bootstrap, --avs-webapi on port 4002, p2p TCP 9876, the environment', async () => {
    const line = run(['run', 'attester', bootstrap, '--avs-webapi', 'http://10.8.0.42'])
    expect(line.grammar).toBe('othentic')
    expect(line.values).toMatchObject({
      bootstrap: [bootstrap],
      'p2p.listen': ['/ip4/0.0.0.0/tcp/9876'],
      host: '0.0.0.0',
    })
    expect(line.values['json-rpc']).toBeUndefined()
    // the listen port is chosen by the system here: 9876 may be taken on a shared machine
    const { plan, config } = await configOf([
      'run',
      'attester',
      bootstrap,
      '--avs-webapi',
      'http://10.8.0.42',
      '--p2p.port',
      '0',
      '--p2p.datadir',
      join(dir, 'attester'),
    ])
    expect(plan.validationServiceUrl).toBe('http://10.8.0.42:4002')
    expect(plan.chain).toEqual({ rpcUrl: 'http://127.0.0.1:2', attestationCenter: center, chainId: 31337 })
    expect(config.operator.attester.validationService?.url).toBe('http://10.8.0.42:4002')
    expect(config.operator.p2p.bootstrap).toEqual([bootstrap])
    expect(config.operator.p2p.listen).toEqual(['/ip4/0.0.0.0/tcp/0'])
    expect(config.operator.roles).toEqual(['attester'])
    // INTERNAL_TASKS is for the aggregator only (the compose file gives everyone the same env)
    expect(plan.internalTasks).toBe(false)
  })

  it('an aggregator: --json-rpc and --metrics are switches on 8545 and 6060, on 0.0.0.0; it is the bootstrap node', () => {
    const line = run(['run', 'aggregator', '--json-rpc', '--metrics', '--internal-tasks', '--delay', '1500'])
    expect(line.values).toMatchObject({
      'json-rpc': '8545',
      metrics: '6060',
      host: '0.0.0.0',
      'internal-tasks': true,
      delay: '1500',
      'p2p.listen': ['/ip4/0.0.0.0/tcp/9876'],
    })
    const ports = run([
      'run',
      'aggregator',
      '--json-rpc',
      '--json-rpc.port',
      '18545',
      '--metrics',
      '--metrics.port',
      '16060',
      '--p2p.port',
      '19876',
      '--host',
      '127.0.0.1',
    ])
    expect(ports.values).toMatchObject({
      'json-rpc': '18545',
      metrics: '16060',
      host: '127.0.0.1',
      'p2p.listen': ['/ip4/0.0.0.0/tcp/19876'],
    })
  })

  it('maps onto the one config: bootstrap node, custom messages only when enabled, Pushgateway, announced addresses', async () => {
    const { config } = await configOf([
      'run',
      'aggregator',
      '--json-rpc',
      '--json-rpc.port',
      '0',
      '--json-rpc.custom-message-enabled',
      '--json-rpc.max-in-flight',
      '8',
      '--p2p.port',
      '0',
      '--announced-addresses',
      '/ip4/203.0.113.7/tcp/9876,/dns4/agg.example/tcp/9876',
      '--p2p.datadir',
      join(dir, 'aggregator'),
    ])
    expect(config.operator.p2p).toMatchObject({
      bootstrapNode: true,
      announce: ['/ip4/203.0.113.7/tcp/9876', '/dns4/agg.example/tcp/9876'],
    })
    expect(config.operator.jsonRpc).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      customMessages: true,
      maxInFlight: 8,
    })
    expect(config.operator.aggregator).toMatchObject({ internalTasks: true })
    // the latency rule's bound, in milliseconds or blocks (--delay stays the fixed window)
    const latency = await configOf([
      'run',
      'aggregator',
      '--aggregator.latency-blocks',
      '2',
      '--aggregator.latency-ms',
      '800',
      '--p2p.port',
      '0',
      '--p2p.datadir',
      join(dir, 'aggregator'),
    ])
    expect(latency.config.operator.aggregator).toMatchObject({ latencyBlocks: 2, latencyMs: 800, delayMs: 0 })
    const plain = await configOf([
      'run',
      'aggregator',
      '--json-rpc',
      '--json-rpc.port',
      '0',
      '--p2p.port',
      '0',
      '--p2p.datadir',
      join(dir, 'aggregator'),
    ])
    expect(plain.config.operator.jsonRpc?.customMessages).toBe(false)
  })

  it("Wisp's own grammar keeps its meanings: --json-rpc takes a port, loopback, custom messages on", async () => {
    const line = parseCommandLine(['aggregator', '--json-rpc', '0', '--bootstrap', bootstrap])
    if (line.kind !== 'run') throw new Error('not a run')
    expect(line.grammar).toBe('wisp')
    const plan = await preflightNode('aggregator', line.values, { env, cwd: dir })
    const config = nodeConfigOf(plan, 31337, 'wisp')
    expect(config.operator.jsonRpc).toEqual({ port: 0, host: '127.0.0.1' })
    expect(config.operator.p2p.bootstrapNode).toBeUndefined()
    // the environment is read by both grammars (flags win)
    expect(config.operator.chain.rpcUrl).toBe('http://127.0.0.1:2')
    expect(config.operator.aggregator).toMatchObject({ internalTasks: true })
  })

  it('--avs-webapi keeps a port it names (an explicit :80 too) and a path', async () => {
    const url = async (value: string, ...extra: string[]) => {
      const line = run(['run', 'attester', bootstrap, '--avs-webapi', value, '--p2p.port', '0', ...extra])
      return (await preflightNode('attester', line.values, { env, cwd: dir })).validationServiceUrl
    }
    expect(await url('http://svc:80')).toBe('http://svc:80')
    expect(await url('http://svc:4010/base')).toBe('http://svc:4010/base')
    expect(await url('http://svc/base')).toBe('http://svc:4002/base')
    expect(await url('http://[::1]')).toBe('http://[::1]:4002')
    expect(await url('http://svc', '--avs-webapi-port', '4100')).toBe('http://svc:4100')
  })

  it('reads the environment: L2 over L1, chain names, OTHENTIC_BOOTSTRAP_ID, flags win', async () => {
    expect(environmentValues('aggregator', {}, env)).toEqual({
      values: {
        'private-key': key,
        'chain-rpc': 'http://127.0.0.1:2',
        'chain-id': '31337',
        'attestation-center': center,
        'internal-tasks': true,
      },
      origin: {
        'private-key': 'PRIVATE_KEY',
        'chain-rpc': 'L2_RPC',
        'chain-id': 'L2_CHAIN',
        'attestation-center': 'ATTESTATION_CENTER_ADDRESS',
        'internal-tasks': 'INTERNAL_TASKS',
      },
    })
    // one chain (no L2): L1 is the chain
    const l1 = environmentValues('attester', {}, { L1_RPC: 'http://127.0.0.1:1', L1_CHAIN: 'holesky' })
    expect(l1.values).toEqual({ 'chain-rpc': 'http://127.0.0.1:1', 'chain-id': '17000' })
    // a network file names the chain: the environment's chain is not read
    expect(environmentValues('attester', { network: 'net.json' }, env).values).toEqual({ 'private-key': key })
    const line = run(['run', 'attester', '/ip4/127.0.0.1/tcp/9876', '--p2p.port', '0', '--chain-id', '31337'])
    const plan = await preflightNode('attester', line.values, {
      env: { ...env, L2_CHAIN: 'base', OTHENTIC_BOOTSTRAP_ID: bootstrapId },
      cwd: dir,
    })
    expect(plan.p2p.bootstrap).toEqual([bootstrap])
    expect(plan.chain.chainId).toBe(31337)
  })
})

describe('wisp run: bad input is one coded line naming the flag or the variable', () => {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
  const wisp = (args: string[], extra: Record<string, string> = {}) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !(k in env) && k !== 'LOG_DIR'),
    )
    return spawnSync(
      process.execPath,
      ['--conditions=@wisp/source', '--import', import.meta.resolve('tsx'), cli, ...args],
      { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...clean, ...extra } },
    )
  }

  it.each([
    [['run'], {}, /wisp run needs a role/],
    [['run', 'relay'], {}, /unknown role .*a relay is wisp relay/],
    [['run', 'attester', '--json-rpc', '8545'], {}, /unexpected|not a multiaddr/],
    [['run', 'attester', '--json-rpc.port', '9000'], {}, /--json-rpc\.port is given without --json-rpc/],
    [['run', 'attester', '--p2p.port', 'x'], {}, /--p2p\.port must be a port/],
    [['attester', bootstrap], {}, /use Othentic's form: wisp run attester <bootstrap-multiaddr>/],
    [
      ['run', 'attester', bootstrap, '--p2p.port', '0'],
      { ...env, PRIVATE_KEY: '0x1234' },
      /PRIVATE_KEY \(environment\) is not a private key/,
    ],
    [
      ['run', 'attester', bootstrap, '--p2p.port', '0'],
      { ...env, L2_CHAIN: 'amoy,base-sepolia' },
      /L2_CHAIN \(environment\) "amoy,base-sepolia" names several chains/,
    ],
    [
      ['run', 'attester', bootstrap, '--p2p.port', '0'],
      { ...env, L2_CHAIN: 'narnia' },
      /L2_CHAIN \(environment\) "narnia" is not a chain wisp knows/,
    ],
    [
      ['run', 'aggregator', '--p2p.port', '0'],
      { ...env, INTERNAL_TASKS: 'maybe' },
      /INTERNAL_TASKS \(environment\) must be true or false/,
    ],
    [
      ['run', 'attester', bootstrap, '--p2p.port', '0'],
      { ...env, ATTESTATION_CENTER_ADDRESS: '0x12' },
      /ATTESTATION_CENTER_ADDRESS \(environment\) must be a 0x-prefixed 20-byte address/,
    ],
  ] as Array<[string[], Record<string, string>, RegExp]>)('wisp %j', (args, extra, message) => {
    const r = wisp(args, extra)
    expect(r.stderr).toMatch(/^wisp: NODE_BAD_(FLAGS|KEY): /)
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.status).toBe(2)
  })

  it('wisp run attester --help shows the Othentic form with its defaults', () => {
    const r = wisp(['run', 'attester', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('usage: wisp run attester [bootstrap-multiaddr…] [flags]')
    expect(r.stdout).toMatch(/--json-rpc\s+serve JSON-RPC/)
    expect(r.stdout).toMatch(/--json-rpc\.port <port>.*\[8545\]/)
    expect(r.stdout).toMatch(/--avs-webapi-port <port>.*\[4002\]/)
    expect(r.stdout).toMatch(/--host <ip>.*\[0\.0\.0\.0\]/)
  })

  it('an unwritable LOG_DIR is refused before the node starts', () => {
    // a directory inside a regular file cannot be made
    const r = wisp(['run', 'attester', bootstrap, '--p2p.port', '0'], { ...env, LOG_DIR: join(cli, 'logs') })
    expect(r.stderr).toMatch(/^wisp: NODE_BAD_FLAGS: LOG_DIR \(environment\) .*cannot write .*ENOTDIR/m)
    expect(r.status).toBe(2)
  })

  it('wisp peer-id: the id of OTHENTIC_BOOTSTRAP_SEED, else of the data dir; none yet is a coded line', async () => {
    const seed = `0x${'5e'.repeat(32)}`
    const fromSeed = wisp(['peer-id'], { OTHENTIC_BOOTSTRAP_SEED: seed })
    expect(fromSeed.stdout).toBe(`${await peerIdFromSeed(seed)}\n`)
    expect(fromSeed.status).toBe(0)
    const dataDir = join(dir, 'peer-id')
    const other = `0x${'6f'.repeat(32)}`
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(join(dataDir, 'identity.seed'), `${other}\n`)
    expect(wisp(['peer-id', '--p2p.datadir', dataDir]).stdout).toBe(`${await peerIdFromSeed(other)}\n`)
    const none = wisp(['peer-id', '--p2p.datadir', join(dir, 'nothing-here')])
    expect(none.stderr).toMatch(/^wisp: NODE_BAD_FLAGS: no identity in .*nothing-here yet/)
    expect(none.status).toBe(2)
  })
})
