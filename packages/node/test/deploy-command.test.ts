// `wisp deploy` as a user runs it: the real CLI in a child process against anvil used as a plain
// JSON-RPC. A deployment killed (SIGKILL) once its record holds two contracts resumes and
// completes; a dry run sends nothing; keys come from a keystore or PRIVATE_KEY, never a flag.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ANVIL_DEV_KEYS, type Anvil, startAnvil } from '@wisp/contracts/dev'
import { parseNetworkFile } from '@wisp/operator'
import { encryptKey } from '@wisp/storage'
import { createPublicClient, type Hex, hexToBytes, http } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { getTransactionCount } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
// tsx from the workspace (the child runs in a temporary directory)
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
let anvil: Anvil
let dir: string

const PLAN = {
  version: 1,
  network: { name: 'cli test network', kind: 'testnet' },
  treasuryFunding: '1000e18',
  openAggregator: true,
  taskDefinitions: [
    { name: 'hash-chain', plugin: { package: '@wisp/plugin-hash-chain' }, config: { iterations: 100 } },
  ],
}

beforeAll(async () => {
  anvil = await startAnvil({})
  dir = await mkdtemp(join(tmpdir(), 'wisp-deploy-cli-'))
  await writeFile(join(dir, 'plan.json'), JSON.stringify(PLAN))
})
afterAll(async () => {
  await anvil?.stop()
  await rm(dir, { recursive: true, force: true })
})

interface Run {
  child: ChildProcess
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>
}

function wisp(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Run {
  const child = spawn(
    process.execPath,
    ['--conditions=@wisp/source', '--import', tsx, cli, 'deploy', ...args],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  if (options.stdin !== undefined) child.stdin!.end(options.stdin)
  else child.stdin!.end()
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, done }
}

const keyEnv = (i: number) => ({ PRIVATE_KEY: ANVIL_DEV_KEYS[i] as string })
const nonceOf = (address: Hex) =>
  getTransactionCount(createPublicClient({ transport: http(anvil.rpcUrl) }), { address })

describe('wisp deploy', () => {
  it('--help lists the flags; a key on the command line is not one of them', async () => {
    const r = await wisp(['--help']).done
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: wisp deploy --plan <plan.json> --rpc <url>')
    expect(r.stdout).toContain('--dry-run')
    const bad = await wisp(['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--private-key', '0x01']).done
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^wisp: NODE_BAD_FLAGS: wisp deploy: Unknown option '--private-key'/)
  })

  it('--dry-run prints gas and cost per step and sends nothing', async () => {
    const from = privateKeyToAccount(ANVIL_DEV_KEYS[1] as Hex)
    const before = await nonceOf(from.address)
    const r = await wisp(['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--dry-run', '--out', 'dry.json'], {
      env: keyEnv(1),
    }).done
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/deploy AttestationCenter +\d{6,} +0\.\d+ +estimate → 0x[0-9a-fA-F]{40}/)
    expect(r.stdout).toMatch(/center: task definition "hash-chain" +1500000 .* fixed limit/)
    expect(r.stdout).toMatch(/total: \d+ step\(s\) to send, \d+ gas, at most 0\.\d+ ETH/)
    expect(r.stdout).toContain('dry run: nothing was sent')
    expect(await nonceOf(from.address)).toBe(before)
    expect(existsSync(join(dir, 'dry.json'))).toBe(false)
    expect(existsSync(join(dir, 'dry.record.json'))).toBe(false)
  })

  it('a deployment killed after its second contract resumes and completes', async () => {
    const from = privateKeyToAccount(ANVIL_DEV_KEYS[2] as Hex)
    const start = await nonceOf(from.address)
    // a proxy that lets two transactions through and holds the third, so the kill comes at a
    // known point; everything else (receipts, nonces) goes through
    let sends = 0
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString()
        if (body.includes('eth_sendRawTransaction') && ++sends > 2) return // never answered
        fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then(async (r) =>
            res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
          )
          .catch(() => res.destroy())
      })
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`
    const recordPath = join(dir, 'killed.record.json')
    const first = wisp(
      ['--plan', 'plan.json', '--rpc', proxyUrl, '--out', 'killed.json', '--yes', '--rpc-timeout', '60000'],
      { env: keyEnv(2) },
    )
    try {
      const deadline = Date.now() + 60_000
      for (;;) {
        const text = existsSync(recordPath) ? await readFile(recordPath, 'utf8').catch(() => '{}') : '{}'
        const steps = Object.values(
          (JSON.parse(text) as { steps?: Record<string, { status: string; address?: string }> }).steps ?? {},
        )
        if (steps.filter((s) => s.status === 'done' && s.address).length >= 2) break
        if (Date.now() > deadline) throw new Error(`no two contracts in the record: ${text}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      first.child.kill('SIGKILL')
      const killed = await first.done
      expect(killed.signal).toBe('SIGKILL')
    } finally {
      proxy.closeAllConnections()
      proxy.close()
    }
    expect(existsSync(join(dir, 'killed.json'))).toBe(false)
    const recorded = JSON.parse(await readFile(recordPath, 'utf8')) as {
      steps: Record<string, { status: string; address?: string }>
    }
    expect(recorded.steps['deploy:stakeToken']?.status).toBe('done')
    expect(recorded.steps['deploy:rewardToken']?.status).toBe('done')

    const second = await wisp(
      ['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--out', 'killed.json', '--yes'],
      {
        env: keyEnv(2),
      },
    ).done
    expect(second.stderr).toBe('')
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('resuming the record')
    expect(second.stdout).not.toMatch(/^sent {2}deploy:stakeToken/m)
    expect(second.stdout).toMatch(/^(again|sent) {1,2}deploy:operatorRegistry/m)
    const network = parseNetworkFile(JSON.parse(await readFile(join(dir, 'killed.json'), 'utf8')))
    expect(network.contracts.stakeToken).toBe(recorded.steps['deploy:stakeToken']!.address)
    expect(network.taskDefinitions[0]).toMatchObject({ id: 1, name: 'hash-chain' })
    const final = JSON.parse(await readFile(recordPath, 'utf8')) as { steps: Record<string, unknown> }
    // one transaction per step: nothing was deployed twice
    expect(await nonceOf(from.address)).toBe(start + Object.keys(final.steps).length)
  })

  it('asks before sending; a keystore and a passphrase file give the key', async () => {
    const secret = ANVIL_DEV_KEYS[3] as Hex
    const keystore = await encryptKey({
      secret: hexToBytes(secret),
      passphrase: 'correct horse',
      keyType: 'ecdsa-secp256k1',
      publicKey: privateKeyToAccount(secret).address,
      scrypt: { n: 1024, r: 8, p: 1 },
    })
    await writeFile(join(dir, 'deployer.keystore.json'), JSON.stringify(keystore))
    await writeFile(join(dir, 'passphrase'), 'correct horse\n')
    const args = [
      '--plan',
      'plan.json',
      '--rpc',
      anvil.rpcUrl,
      '--keystore',
      'deployer.keystore.json',
      '--out',
      'asked.json',
    ]
    const no = await wisp([...args, '--passphrase-file', 'passphrase'], { stdin: 'n\n' }).done
    expect(no.stderr).toMatch(
      /send \d+ transaction\(s\) from 0x\w+ on chain 31337\? \[y\/N\] wisp: NODE_ABORTED/,
    )
    expect(no.code).toBe(1)
    const wrong = await wisp(args, { env: { WISP_PASSPHRASE: 'wrong' } }).done
    expect(wrong.stderr).toMatch(/^wisp: KEYSTORE_DECRYPT_FAILED: wrong passphrase/)
    expect(wrong.code).toBe(2)
    const yes = await wisp(args, { env: { WISP_PASSPHRASE: 'correct horse' }, stdin: 'y\n' }).done
    expect(yes.code).toBe(0)
    expect(yes.stdout).toContain('deployed: AttestationCenter 0x')
    parseNetworkFile(JSON.parse(await readFile(join(dir, 'asked.json'), 'utf8')))
  })

  it('bad input is one coded line: plan field, chain id, unfunded deployer, no key', async () => {
    await writeFile(join(dir, 'bad-plan.json'), JSON.stringify({ ...PLAN, treasuryFunding: 'lots' }))
    const plan = await wisp(['--plan', 'bad-plan.json', '--rpc', anvil.rpcUrl, '--yes'], { env: keyEnv(4) })
      .done
    expect(plan.stderr).toMatch(/^wisp: DEPLOY_INVALID_PLAN: plan\.treasuryFunding: must be/)
    expect(plan.code).toBe(2)
    const chain = await wisp(['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--chain-id', '5', '--yes'], {
      env: keyEnv(4),
    }).done
    expect(chain.stderr).toMatch(
      /^wisp: DEPLOY_WRONG_CHAIN: the RPC .* is on chain 31337, expected chain 5\n$/,
    )
    expect(chain.code).toBe(2)
    const poor = await wisp(['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--yes', '--out', 'poor.json'], {
      env: { PRIVATE_KEY: generatePrivateKey() },
    }).done
    expect(poor.stderr).toMatch(/^wisp: DEPLOY_INSUFFICIENT_FUNDS: the deployer 0x\w+ has 0 ETH/)
    expect(poor.code).toBe(1)
    const nokey = await wisp(['--plan', 'plan.json', '--rpc', anvil.rpcUrl, '--yes']).done
    expect(nokey.stderr).toMatch(
      /^wisp: NODE_BAD_KEY: no deployer key: give --keystore <file> or set PRIVATE_KEY/,
    )
    expect(nokey.code).toBe(2)
  })
})
