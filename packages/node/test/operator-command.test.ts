// `wisp operator` against anvil with Wisp's contracts (deployLocalNetwork: one registered operator
// and a funded newcomer with nothing staked) and with the Othentic-shaped contracts, from wisp
// keystores and a network file, run in-process through run(argv, io) with fake streams; and once
// through the real bin/wisp.mjs for the exit code and the one-line error. The newcomer registers,
// a real BLS-aggregated task includes it, it reads its rewards, rotates its key and leaves.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { aggregateSignatures, hashToPoint, SecretKey } from '@wisp/bls'
import { submitTask } from '@wisp/chain'
import {
  ANVIL_DEV_KEYS,
  type Anvil,
  deployLocalNetwork,
  deployOthenticShapedNetwork,
  type LocalNetwork,
  type OthenticShapedNetwork,
  startAnvil,
} from '@wisp/contracts/dev'
import { DOMAIN_TASKS, type TaskInfo, taskHash, voteHash } from '@wisp/protocol'
import { encryptKey } from '@wisp/storage'
import {
  type Address,
  bytesToHex,
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  type Hex,
  hexToBytes,
  http,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run as runKeystore } from '../src/commands/keystore.js'
import { run } from '../src/commands/operator.js'
import type { ToolIo } from '../src/tool-io.js'

const E = 10n ** 18n
let anvil: Anvil
let net: LocalNetwork
let dir: string
let client: ReturnType<typeof createPublicClient>

const PASSPHRASE = 'operator test passphrase'

function walletOf(key: Hex) {
  const chain = defineChain({
    id: net.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  })
  return createWalletClient({ account: privateKeyToAccount(key), chain, transport: http(anvil.rpcUrl) })
}

/** A keystore file for `key` (cheap scrypt: the command reads any parameters the file names). */
async function keystore(name: string, key: Hex): Promise<void> {
  const file = await encryptKey({
    secret: hexToBytes(key),
    passphrase: PASSPHRASE,
    keyType: 'ecdsa-secp256k1',
    publicKey: privateKeyToAccount(key).address,
    scrypt: { n: 1024, r: 8, p: 1 },
  })
  await writeFile(join(dir, name), JSON.stringify(file))
}

function networkFile(overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    name: 'operator test',
    kind: 'local',
    chainId: net.chainId,
    rpcUrls: [anvil.rpcUrl],
    backend: 'wisp',
    contracts: {
      attestationCenter: net.contracts.attestationCenter,
      operatorRegistry: net.contracts.registry,
      avsTreasury: net.contracts.treasury,
      stakeToken: net.contracts.stakeToken,
      rewardToken: net.contracts.rewardToken,
    },
    deploymentBlock: Number(net.startBlock),
    taskDefinitions: [{ id: 1, name: 'paid' }],
    relays: [],
    ...overrides,
  }
}

beforeAll(async () => {
  anvil = await startAnvil({})
  net = await deployLocalNetwork({
    rpcUrl: anvil.rpcUrl,
    operators: [{ votingPower: 10n * E }, { register: false, stake: 0n }],
    taskDefinitions: [{ name: 'paid', baseRewardFeeForAttesters: 3n * E }],
    deployerStake: 1000n * E,
  })
  client = createPublicClient({ transport: http(anvil.rpcUrl) })
  dir = await mkdtemp(join(tmpdir(), 'wisp-operator-'))
  await writeFile(join(dir, 'pass'), `${PASSPHRASE}\n`)
  await writeFile(join(dir, 'net.json'), JSON.stringify(networkFile()))
  await keystore('first.json', net.operators[0]!.ecdsaKey)
  await keystore('new.json', net.operators[1]!.ecdsaKey)
  // the newcomer's stake tokens, by a plain transfer from the deployer (who holds the spare stake)
  const hash = await walletOf(ANVIL_DEV_KEYS[0]).writeContract({
    address: net.contracts.stakeToken,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [net.operators[1]!.address, 50n * E],
  })
  await client.waitForTransactionReceipt({ hash, pollingInterval: 20 })
})
afterAll(async () => {
  await anvil?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

interface Fake {
  io: ToolIo
  out: () => string
  err: () => string
}

function fake(options: { env?: Record<string, string>; stdin?: string } = {}): Fake {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  stderr.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const stdin = new PassThrough()
  stdin.end(options.stdin ?? '')
  return { io: { stdout, stderr, stdin, env: options.env ?? {}, cwd: dir }, out: () => out, err: () => err }
}

async function wisp(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const f = fake(options)
  await run(args, f.io)
  return f.out()
}

async function fails(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  try {
    await run(args, fake(options).io)
  } catch (e) {
    const err = e as { code: string; message: string }
    expect(err.message).not.toContain('\n')
    return err
  }
  throw new Error(`expected wisp operator ${args.join(' ')} to fail`)
}

const NEW = ['--network', 'net.json', '--keystore', 'new.json', '--passphrase-file', 'pass']
const nonceOf = (address: Address) => client.getTransactionCount({ address })

/** A real task through the BLS overload's sibling (ECDSA performer): both operators' votes aggregated. */
async function submitWithVotes(signers: Array<{ id: number; ecdsaKey: Hex }>) {
  return submitVotes(net.contracts.attestationCenter, net.operators[0]!.ecdsaKey, signers, 1)
}

/** The aggregator (also the performer) submits a task of `taskDefinitionId` the signers voted for. */
async function submitVotes(
  attestationCenter: Address,
  aggregatorKey: Hex,
  signers: Array<{ id: number; ecdsaKey: Hex }>,
  taskDefinitionId: number,
) {
  const account = privateKeyToAccount(aggregatorKey)
  const task: TaskInfo = {
    proofOfTask: `operator-command-${Date.now()}`,
    data: '0x01',
    taskPerformer: account.address,
    taskDefinitionId,
  }
  const hashed = hashToPoint(
    DOMAIN_TASKS,
    voteHash(task, { attestationCenter, chainId: net.chainId, isApproved: true }),
  )
  const sorted = [...signers].sort((a, b) => a.id - b.id)
  return submitTask(walletOf(aggregatorKey), {
    attestationCenter,
    task,
    performerSignature: { type: 'ecdsa', signature: await account.sign({ hash: taskHash(task) }) },
    isApproved: true,
    aggregateSignature: aggregateSignatures(
      sorted.map((s) => SecretKey.fromEcdsaPrivateKey(s.ecdsaKey).signPoint(hashed)),
    ).toEvm(),
    attesterIds: sorted.map((s) => s.id),
    pollingIntervalMs: 20,
  })
}

describe('wisp operator (Wisp contracts)', () => {
  it('register without --yes, answered "n" on a pipe: prints the plan and sends nothing', async () => {
    const newcomer = net.operators[1]!.address
    const before = await nonceOf(newcomer)
    const f = fake({ stdin: 'n\n' })
    const err = await run(['register', ...NEW, '--stake', '20'], f.io).catch((e) => e)
    expect(err.code).toBe('NODE_ABORTED')
    expect(err.message).toBe('nothing was sent (answer y, or pass --yes)')
    expect(f.out()).toMatch(
      /^register on "operator test" \(chain \d+, wisp\) · account 0x[0-9a-fA-F]{40} · balance 10(\.0+)? ETH/,
    )
    expect(f.out()).toMatch(
      / {2}1 {2}approve 20 WSTK for the registry +\d+ +0\.\d+ +0x[0-9a-fA-F]{40} approve\n/,
    )
    expect(f.out()).toMatch(
      / {2}2 {2}deposit 20 WSTK as stake +250000 .* depositStake \(gas: fixed bound, estimated when sent\)\n/,
    )
    expect(f.out()).toMatch(
      / {2}3 {2}register \(BLS key \+ proof of possession\) +\d+ .* registerAsOperator\n/,
    )
    expect(f.out()).toMatch(/total: 3 transaction\(s\), \d+ gas, at most 0\.\d+ ETH\n$/)
    expect(f.err()).toMatch(/send 3 transaction\(s\) from 0x[0-9a-fA-F]{40} on chain \d+\? \[y\/N\] $/)
    expect(await nonceOf(newcomer)).toBe(before)
  })

  it('register → status (active, voting power, share, inclusion) → rewards → update-bls-key → deregister', async () => {
    const [first, newcomer] = net.operators as [LocalNetwork['operators'][0], LocalNetwork['operators'][0]]
    const registered = await wisp(['register', ...NEW, '--stake', '20'], { stdin: 'y\n' })
    expect(registered).toMatch(
      /sending 1\/3: approve 20 WSTK for the registry\ndone {4}0x[0-9a-f]{64} block \d+ gas \d+\n/,
    )
    expect(registered).toContain('registered: operator 2 (')
    // registered already: nothing to send, nothing asked
    expect(await wisp(['register', ...NEW, '--stake', '1'])).toMatch(
      /^nothing to do: 0x[0-9a-fA-F]{40} is already registered and active as operator 2\n$/,
    )

    await submitWithVotes([
      { id: 1, ecdsaKey: first.ecdsaKey },
      { id: 2, ecdsaKey: newcomer.ecdsaKey },
    ])
    // status needs no passphrase: the address is in the keystore's clear part
    const status = await wisp(['status', '--network', 'net.json', '--keystore', 'new.json'])
    expect(status).toContain('operator       2 · active')
    expect(status).toContain(`voting power   ${20n * E} · 66.66% of the network's ${30n * E}`)
    expect(status).toMatch(/recent tasks {3}in 1 of 1 submitted task\(s\), blocks \d+–\d+ \(last: task 0\)/)
    expect(status).toContain('BLS key        registered')
    const json = JSON.parse(
      await wisp(['status', '--network', 'net.json', '--address', newcomer.address, '--json']),
    )
    expect(json).toMatchObject({
      registered: true,
      operatorId: 2,
      active: true,
      votingPower: String(20n * E),
      share: '66.66%',
      recentTasks: { submitted: 1, included: 1, lastIncludedTask: 0 },
    })

    const rewards = await wisp(['rewards', '--network', 'net.json', '--keystore', 'new.json'])
    expect(rewards).toContain('accrued        3 WRWD (not paid yet)')
    expect(rewards).toContain('last paid      never')
    expect(rewards).toContain('there is no claim transaction')

    // a key from a file: the chain's key is then not the keystore's, and status says so
    const other = SecretKey.random()
    await writeFile(join(dir, 'bls.key'), `${bytesToHex(other.toBytes())}\n`)
    const rotated = await wisp(['update-bls-key', ...NEW, '--bls-key-file', 'bls.key', '--yes'])
    expect(rotated).toContain(`updated: operator 2 now has BLS key ${other.publicKey.toHex()}`)
    expect(await wisp(['status', ...NEW])).toContain("BLS key        NOT the keystore's")
    await wisp(['update-bls-key', ...NEW, '--yes'])
    expect(await wisp(['status', ...NEW])).toContain("BLS key        the keystore's")
    expect(await wisp(['update-bls-key', ...NEW, '--yes'])).toMatch(
      /^nothing to do: operator 2 already has this BLS key/,
    )

    const left = await wisp(['deregister', ...NEW], { stdin: 'yes\n' })
    expect(left).toMatch(/ {2}1 {2}unregister operator 2 +\d+/)
    expect(left).toContain('unregistered: operator 2')
    expect(await wisp(['status', '--network', 'net.json', '--keystore', 'new.json'])).toContain(
      'operator       2 · inactive',
    )
    expect(await wisp(['deregister', ...NEW, '--yes'])).toMatch(
      /^nothing to do: operator 2 .* is already inactive/,
    )
  })

  it('bad input: each a coded one-line error naming the field or the step, nothing sent', async () => {
    const stranger = generatePrivateKey()
    await keystore('stranger.json', stranger)
    const S = ['--network', 'net.json', '--keystore', 'stranger.json', '--passphrase-file', 'pass']
    expect(await wisp(['status', '--network', 'net.json', '--keystore', 'stranger.json'])).toContain(
      'operator       not registered: this address has never registered (wisp operator register --stake <amount>)',
    )
    expect(await fails(['deregister', ...S, '--yes'])).toMatchObject({
      code: 'NODE_NOT_AN_OPERATOR',
      message: `deregister: ${privateKeyToAccount(stranger).address} is not a registered operator (wisp operator register first)`,
    })
    expect(await fails(['rewards', '--network', 'net.json', '--keystore', 'stranger.json'])).toMatchObject({
      code: 'NODE_NOT_AN_OPERATOR',
    })
    // tokens to stake but no ETH for the gas
    expect((await fails(['register', ...S, '--stake', '1', '--yes'])).message).toMatch(
      /^stake: .* holds 0 of the stake token/,
    )
    await client.waitForTransactionReceipt({
      hash: await walletOf(ANVIL_DEV_KEYS[0]).writeContract({
        address: net.contracts.stakeToken,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [privateKeyToAccount(stranger).address, 1n * E],
      }),
      pollingInterval: 20,
    })
    expect(await fails(['register', ...S, '--stake', '1', '--yes'])).toMatchObject({
      code: 'CHAIN_INSUFFICIENT_FUNDS',
      message: expect.stringMatching(
        /^0x[0-9a-fA-F]{40} has 0 wei, less than the \d+ wei the 3 transaction\(s\) to register may cost/,
      ),
    })
    // more stake than the newcomer holds (it staked 20 of 50)
    const tooMuch = await fails(['register', ...NEW, '--stake', '31', '--yes'])
    expect(tooMuch.code).toBe('CHAIN_INSUFFICIENT_FUNDS')
    expect(tooMuch.message).toMatch(/^stake: 0x[0-9a-fA-F]{40} holds 30000000000000000000 of the stake token/)
    expect(await fails(['register', ...NEW, '--stake', 'lots'])).toMatchObject({
      code: 'NODE_BAD_FLAGS',
      message: 'wisp operator: --stake lots is not an amount of tokens like 10 or 2.5',
    })

    expect((await fails(['register', ...NEW, '--stake', `0.${'0'.repeat(18)}1`])).message).toBe(
      `wisp operator: --stake 0.${'0'.repeat(18)}1 has more decimals than WSTK's 18`,
    )
    await writeFile(join(dir, 'wrong'), 'not it\n')
    expect(
      await fails([
        'update-bls-key',
        '--network',
        'net.json',
        '--keystore',
        'new.json',
        '--passphrase-file',
        'wrong',
      ]),
    ).toMatchObject({
      code: 'KEYSTORE_DECRYPT_FAILED',
      message: '--keystore new.json: wrong passphrase (or the file was altered)',
    })
    expect(await fails(['register', '--network', 'net.json', '--keystore', 'new.json'])).toMatchObject({
      code: 'NODE_BAD_KEY',
      message:
        'the keystore new.json needs a passphrase: give --passphrase-file <file> or set WISP_PASSPHRASE (stdin is not a terminal to ask on)',
    })
    expect(await fails(['status', '--network', 'missing.json', '--keystore', 'new.json'])).toMatchObject({
      code: 'NODE_BAD_FLAGS',
      message: expect.stringMatching(/^--network: cannot read the network file .*missing\.json: /),
    })
    await writeFile(join(dir, 'bad-net.json'), JSON.stringify(networkFile({ chainId: 'one' })))
    expect((await fails(['status', '--network', 'bad-net.json', '--keystore', 'new.json'])).message).toMatch(
      /^--network bad-net\.json: network\.chainId/,
    )
    await writeFile(join(dir, 'not-json.json'), '{"version": 1,')
    expect((await fails(['status', '--network', 'not-json.json', '--keystore', 'new.json'])).message).toMatch(
      /not JSON/,
    )
    await writeFile(join(dir, 'down.json'), JSON.stringify(networkFile({ rpcUrls: ['http://127.0.0.1:9'] })))
    expect(await fails(['status', '--network', 'down.json', '--keystore', 'new.json'])).toMatchObject({
      code: 'NODE_RPC_UNREACHABLE',
      message: expect.stringMatching(
        /^--network down\.json: no answer from its RPC \(http:\/\/127\.0\.0\.1:9\)/,
      ),
    })
    // a dead first URL hands over to the next one
    await writeFile(
      join(dir, 'fallback.json'),
      JSON.stringify(networkFile({ rpcUrls: ['http://127.0.0.1:9', anvil.rpcUrl] })),
    )
    expect(await wisp(['status', '--network', 'fallback.json', '--keystore', 'new.json'])).toContain(
      'operator       2 · ',
    )
    await writeFile(join(dir, 'other-chain.json'), JSON.stringify(networkFile({ chainId: 5 })))
    expect(
      (await fails(['status', '--network', 'other-chain.json', '--keystore', 'new.json'])).message,
    ).toMatch(/its RPC is chain \d+, the file says chainId 5/)
    const eoa = net.operators[1]!.address
    await writeFile(
      join(dir, 'no-code.json'),
      JSON.stringify(networkFile({ contracts: { attestationCenter: eoa } })),
    )
    expect(await fails(['status', '--network', 'no-code.json', '--keystore', 'new.json'])).toMatchObject({
      code: 'CHAIN_NOT_A_CONTRACT',
      message: `attestationCenter: no contract at ${eoa} on this chain`,
    })
    expect(
      (
        await fails([
          'register',
          '--network',
          'net.json',
          '--keystore',
          'new.json',
          '--private-key',
          stranger,
        ])
      ).message,
    ).toMatch(/--private-key: keys never go on the command line/)
    expect(
      (await fails(['status', '--network', 'net.json', '--stake', '1', '--keystore', 'new.json'])).message,
    ).toBe('wisp operator: --stake is not a flag of wisp operator status')
  })
})

describe("the README's session", () => {
  it('runs: keystore create → (funding) → register → status → rewards → deregister', async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
    const block = /## Joining a network[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const lines = block!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('wisp '))
    // the attester is a long-running node (its own tests start it): every other line runs here
    expect(lines.filter((l) => !/^wisp (keystore|operator) /.test(l))).toEqual([
      'wisp attester --network network.json --keystore operator.json',
    ])
    await writeFile(join(dir, 'network.json'), JSON.stringify(networkFile()))
    const env = { WISP_PASSPHRASE: 'readme passphrase' }
    const outputs: string[] = []
    for (const line of lines.filter((l) => /^wisp (keystore|operator) /.test(l))) {
      const [, tool, ...args] = line.split(/\s+/)
      if (line.startsWith('wisp operator register')) {
        // what the comment asks for: ETH for gas and the stake token, by plain transfers
        const address = /address +(0x[0-9a-fA-F]{40})/.exec(outputs.join(''))![1] as Address
        const funder = walletOf(ANVIL_DEV_KEYS[0])
        await client.waitForTransactionReceipt({
          hash: await funder.sendTransaction({ to: address, value: E }),
        })
        await client.waitForTransactionReceipt({
          hash: await funder.writeContract({
            address: net.contracts.stakeToken,
            abi: erc20Abi,
            functionName: 'transfer',
            args: [address, 10n * E],
          }),
        })
      }
      const f = fake({ env, stdin: 'y\n' })
      await (tool === 'keystore' ? runKeystore : run)(args, f.io)
      outputs.push(f.out())
    }
    const text = outputs.join('')
    expect(text).toMatch(/registered: operator \d+/)
    expect(text).toContain(`voting power   ${10n * E}`)
    expect(text).toContain('accrued        0 WRWD')
    expect(text).toMatch(/unregistered: operator \d+ .* is inactive/)
  })
})

describe('wisp operator (Othentic-shaped contracts)', () => {
  let othentic: OthenticShapedNetwork
  beforeAll(async () => {
    othentic = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      operators: [
        { ecdsaKey: generatePrivateKey(), votingPower: 4n * E },
        { ecdsaKey: generatePrivateKey() },
      ],
      eventVersion: 2,
    })
    await keystore('oth.json', othentic.operators[0]!.ecdsaKey)
    await writeFile(
      join(dir, 'oth-net.json'),
      JSON.stringify(
        networkFile({
          name: 'othentic test',
          backend: 'othentic',
          contracts: {
            attestationCenter: othentic.contracts.attestationCenter,
            operatorRegistry: othentic.contracts.obls,
          },
          deploymentBlock: Number(othentic.startBlock),
          taskDefinitions: [],
        }),
      ),
    )
  })
  const O = ['--network', 'oth-net.json', '--keystore', 'oth.json', '--passphrase-file', 'pass']

  it('status and rewards read the L2 contracts; update-bls-key works; register says it is on L1', async () => {
    const status = await wisp(['status', ...O])
    expect(status).toContain('"othentic test" (chain')
    expect(status).toContain('othentic)')
    expect(status).toContain('operator       1 · active')
    expect(status).toContain(`voting power   ${4n * E} · 80.00% of the network's ${5n * E}`)
    expect(status).toContain("BLS key        the keystore's")
    expect(await wisp(['rewards', ...O])).toContain('accrued        0 (smallest unit)')

    const register = await fails(['register', ...O, '--yes'])
    expect(register.code).toBe('NODE_UNSUPPORTED_BACKEND')
    expect(register.message).toMatch(
      /^register: "othentic test" is an Othentic network, whose operators register on L1 at AvsGovernance\.registerAsOperator/,
    )
    expect((await fails(['deregister', ...O, '--yes'])).code).toBe('NODE_UNSUPPORTED_BACKEND')

    const other = SecretKey.random()
    await writeFile(join(dir, 'oth-bls.key'), `${bytesToHex(other.toBytes())}\n`)
    expect(await wisp(['update-bls-key', ...O, '--bls-key-file', 'oth-bls.key', '--yes'])).toContain(
      `updated: operator 1 now has BLS key ${other.publicKey.toHex()}`,
    )
    expect(await wisp(['status', ...O])).toContain("BLS key        NOT the keystore's")

    const stranger = await wisp([
      'status',
      '--network',
      'oth-net.json',
      '--address',
      net.operators[1]!.address,
    ])
    expect(stranger).toContain(
      'operator       not registered: this address is not an operator of this AVS (Othentic registers on L1',
    )
  })

  it('status on a v1 network: its TaskSubmitted names no attesters, so those tasks are not counted', async () => {
    const v1 = await deployOthenticShapedNetwork({
      rpcUrl: anvil.rpcUrl,
      operators: [
        { ecdsaKey: generatePrivateKey(), votingPower: 4n * E },
        { ecdsaKey: generatePrivateKey() },
      ],
      eventVersion: 1,
    })
    await keystore('oth1.json', v1.operators[0]!.ecdsaKey)
    await writeFile(
      join(dir, 'oth1-net.json'),
      JSON.stringify(
        networkFile({
          name: 'othentic v1',
          backend: 'othentic',
          contracts: {
            attestationCenter: v1.contracts.attestationCenter,
            operatorRegistry: v1.contracts.obls,
          },
          deploymentBlock: Number(v1.startBlock),
          taskDefinitions: [],
        }),
      ),
    )
    const signers = v1.operators.map((o) => ({ id: o.id, ecdsaKey: o.ecdsaKey }))
    await submitVotes(v1.contracts.attestationCenter, v1.operators[0]!.ecdsaKey, signers, 0)
    const V1 = ['--network', 'oth1-net.json', '--keystore', 'oth1.json']
    expect(JSON.parse(await wisp(['status', ...V1, '--json']))).toMatchObject({
      backend: 'othentic',
      operatorId: 1,
      active: true,
      votingPower: String(4n * E),
      recentTasks: { submitted: 1, included: 0, withoutAttesterIds: 1 },
    })
    const text = await wisp(['status', ...V1])
    expect(text).toContain('operator       1 · active')
    expect(text).toMatch(
      /recent tasks {3}in 0 of 1 submitted task\(s\), blocks \d+–\d+; 1 of them v1 events, which name no attesters: not counted/,
    )
  })
})

describe('through bin/wisp.mjs', () => {
  it('deregister answered "n" on a non-TTY stdin: nothing sent, exit 1, one line on stderr', async () => {
    const first = net.operators[0]!
    const bin = fileURLToPath(new URL('../bin/wisp.mjs', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        bin,
        'operator',
        'deregister',
        '--network',
        'net.json',
        '--keystore',
        'first.json',
        '--passphrase-file',
        'pass',
      ],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.stdin.end('n\n')
    const before = await nonceOf(first.address)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(stdout).toMatch(/ {2}1 {2}unregister operator 1 /)
    expect(stderr).toMatch(/\? \[y\/N\] wisp: NODE_ABORTED: nothing was sent \(answer y, or pass --yes\)\n$/)
    expect(stderr.split('wisp: ')).toHaveLength(2)
    expect(code).toBe(1)
    expect(await nonceOf(first.address)).toBe(before)
  })
})
