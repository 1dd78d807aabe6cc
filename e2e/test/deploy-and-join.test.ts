// An AVS from nothing, as its builder and its operators would do it, through the `wisp` CLI only:
// anvil started as a plain JSON-RPC (nothing on the path calls anvil_*), keystores made with
// `wisp keystore`, a relay (`wisp relay`), the contracts deployed with `wisp deploy` from a plan
// file, three operators registered from their keystores with `wisp operator register`, then a
// performer, an aggregator and two attesters started with nothing but the network file and a
// keystore — and tasks finalize on chain with the attesters' votes.
// Real parts only: anvil, the CLI in child processes, libp2p over loopback.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { getTaskEvents } from '@wisp/chain'
import { ANVIL_DEV_KEYS, type Anvil, startAnvil } from '@wisp/contracts/dev'
import { waitFor } from '@wisp/test-utils'
import { createPublicClient, createWalletClient, type Hex, http, parseEther } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const CLI = fileURLToPath(new URL('../../packages/node/src/cli.ts', import.meta.url))
// the children run in a temporary directory: tsx from this workspace
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const dir = mkdtempSync(join(tmpdir(), 'wisp-deploy-and-join-'))
const PASSPHRASE_FILE = join(dir, 'passphrase')
const running: ChildProcess[] = []
const output = new Map<string, string>()
let anvil: Anvil

interface Done {
  code: number | null
  stdout: string
  stderr: string
}

/** `wisp <args>` to its end; throws with its output when it fails. */
function wisp(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<Done> {
  const child = spawn(process.execPath, ['--conditions=@wisp/source', '--import', TSX, CLI, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  child.stdin!.end(stdin ?? '')
  return new Promise((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0
        ? resolve({ code, stdout, stderr })
        : reject(new Error(`wisp ${args.join(' ')} exited ${code}\n${stderr}${stdout}`)),
    ),
  )
}

/** A long-running `wisp <role>`; its output is kept for the failure message. */
function start(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@wisp/source', '--import', TSX, CLI, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', WISP_PASSPHRASE: 'e2e passphrase' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  output.set(name, '')
  const keep = (d: Buffer) => output.set(name, (output.get(name)! + d.toString()).slice(-20_000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  running.push(child)
  return child
}

const logs = () => [...output].map(([name, text]) => `--- ${name}\n${text.slice(-3000)}`).join('\n')
const keystore = (name: string) => join(dir, `${name}.keystore.json`)
const withPassphrase = ['--passphrase-file', PASSPHRASE_FILE]

beforeAll(async () => {
  // blocks every second: the round robin moves one slot per block, as on a public chain
  anvil = await startAnvil({ blockTime: 1 })
  writeFileSync(PASSPHRASE_FILE, 'e2e passphrase\n')
}, 60_000)

afterAll(async () => {
  for (const child of running) child.kill('SIGTERM')
  await Promise.all(
    running.map((child) =>
      child.exitCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve)),
    ),
  )
  await anvil?.stop()
  rmSync(dir, { recursive: true, force: true })
})

describe('deploy, register, join — the CLI only', () => {
  const addresses: Record<string, Hex> = {}
  const networkFile = join(dir, 'network.json')
  const operatorIds: Record<string, number> = {}

  it('makes the keystores: three operators (new keys), the deployer and the aggregator (funded accounts)', async () => {
    await Promise.all(
      ['alice', 'bob', 'carol'].map((name) =>
        wisp(['keystore', 'create', '--keystore', keystore(name), ...withPassphrase]),
      ),
    )
    // anvil's dev accounts have ETH: the deployer and the aggregator (open aggregation, no stake)
    await wisp(['keystore', 'import', '--keystore', keystore('deployer'), ...withPassphrase], {
      PRIVATE_KEY: ANVIL_DEV_KEYS[0],
    })
    await wisp(['keystore', 'import', '--keystore', keystore('aggregator'), ...withPassphrase], {
      PRIVATE_KEY: ANVIL_DEV_KEYS[1],
    })
    await Promise.all(
      ['alice', 'bob', 'carol', 'deployer', 'aggregator'].map(async (name) => {
        const shown = await wisp(['keystore', 'show', '--keystore', keystore(name), '--json'])
        addresses[name] = (JSON.parse(shown.stdout) as { address: Hex }).address
      }),
    )
    expect(addresses.deployer).toBe(privateKeyToAccount(ANVIL_DEV_KEYS[0]).address)
  })

  it('starts a relay and deploys with wisp deploy from a plan file', async () => {
    const relay = start('relay', [
      'relay',
      '--p2p.listen',
      '/ip4/127.0.0.1/tcp/0/ws',
      '--p2p.datadir',
      join(dir, 'relay'),
    ])
    const multiaddr = await waitFor(
      'the relay to print its address',
      () => /^(\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/\w+)$/m.exec(output.get('relay') ?? '')?.[1],
      { timeoutMs: 60_000, context: logs },
    )
    expect(relay.exitCode).toBeNull()
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({
        version: 1,
        network: { name: 'deploy-and-join', kind: 'testnet' },
        chainId: anvil.chainId,
        // a test stake token: each operator gets 10 tokens to stake
        stakeToken: {
          deploy: { mint: ['alice', 'bob', 'carol'].map((n) => ({ to: addresses[n], amount: '10e18' })) },
        },
        treasuryFunding: '1000e18',
        openAggregator: true,
        taskDefinitions: [
          {
            name: 'hash-chain',
            plugin: { package: '@wisp/plugin-hash-chain' },
            config: { iterations: 200 },
            rewards: { attesters: '1e16', performer: '2e16', aggregator: '5e15' },
          },
        ],
        relays: [multiaddr],
      }),
    )
    const dry = await wisp([
      'deploy',
      '--plan',
      'plan.json',
      '--rpc',
      anvil.rpcUrl,
      '--keystore',
      keystore('deployer'),
      ...withPassphrase,
      '--dry-run',
    ])
    expect(dry.stdout).toContain('dry run: nothing was sent')
    const deployed = await wisp([
      'deploy',
      '--plan',
      'plan.json',
      '--rpc',
      anvil.rpcUrl,
      '--chain-id',
      String(anvil.chainId),
      '--keystore',
      keystore('deployer'),
      ...withPassphrase,
      '--out',
      'network.json',
      '--yes',
    ])
    expect(deployed.stdout).toMatch(/deployed: AttestationCenter 0x[0-9a-fA-F]{40} on chain 31337/)
    const network = JSON.parse(readFileSync(networkFile, 'utf8')) as {
      relays: string[]
      taskDefinitions: unknown[]
    }
    expect(network.relays).toEqual([multiaddr])
    expect(network.taskDefinitions).toHaveLength(1)
  })

  it('registers three operators from their keystores with wisp operator register', async () => {
    // the faucet: ETH for gas, a plain transfer from one of anvil's funded accounts
    const faucet = createWalletClient({
      account: privateKeyToAccount(ANVIL_DEV_KEYS[2]),
      transport: http(anvil.rpcUrl),
    })
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl) })
    for (const name of ['alice', 'bob', 'carol']) {
      const hash = await faucet.sendTransaction({ to: addresses[name]!, value: parseEther('1'), chain: null })
      await publicClient.waitForTransactionReceipt({ hash })
    }
    // each from its own account: all three at once (ids in the order they land)
    await Promise.all(
      ['alice', 'bob', 'carol'].map(async (name) => {
        const registered = await wisp([
          'operator',
          'register',
          '--network',
          networkFile,
          '--keystore',
          keystore(name),
          ...withPassphrase,
          '--stake',
          '10',
          '--yes',
        ])
        const id = /^registered: operator (\d+) /m.exec(registered.stdout)?.[1]
        expect(id, registered.stdout).toBeDefined()
        operatorIds[name] = Number(id)
      }),
    )
    expect(Object.values(operatorIds).sort()).toEqual([1, 2, 3])
  })

  it('a performer, an aggregator and two attesters join with the network file and a keystore; tasks finalize', async () => {
    const node = (role: string, name: string, extra: string[] = []) =>
      start(`${role}-${name}`, [
        role,
        '--network',
        networkFile,
        '--keystore',
        keystore(name),
        '--p2p.datadir',
        join(dir, `${role}-${name}`),
        '--log-level',
        'warn',
        ...extra,
      ])
    node('aggregator', 'aggregator')
    node('attester', 'bob')
    node('attester', 'carol')
    // alice performs when the round robin elects her (one block in three)
    node('performer', 'alice', ['--task-definition', '1', '--every-blocks', '1'])

    const network = JSON.parse(readFileSync(networkFile, 'utf8')) as {
      contracts: { attestationCenter: Hex }
      deploymentBlock: number
    }
    const client = createPublicClient({ transport: http(anvil.rpcUrl) })
    const submitted = await waitFor(
      'two tasks to finalize on chain',
      async () => {
        const events = await getTaskEvents(client, {
          attestationCenter: network.contracts.attestationCenter,
          fromBlock: BigInt(network.deploymentBlock),
        })
        const approved = events.filter((e) => e.event === 'TaskSubmitted')
        return approved.length >= 2 && approved
      },
      { timeoutMs: 150_000, intervalMs: 1000, context: logs },
    )
    for (const task of submitted) {
      expect(task.taskDefinitionId).toBe(1)
      expect(task.performer).toBe(addresses.alice)
      expect([...task.attesterIds].sort()).toEqual([operatorIds.bob, operatorIds.carol].sort())
    }
    for (const child of running) expect(child.exitCode, logs()).toBeNull()
  }, 240_000)
})
