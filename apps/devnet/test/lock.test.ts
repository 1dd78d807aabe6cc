// One devnet per data directory: a second start while one runs says so, exits with code 3 and
// touches nothing (not the running network's databases, not its network files); a stale lock is
// taken over; busy ports are found before anything is wiped.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { acquireDevnetLock, lockPathOf } from '../src/lock.js'

const tsx = import.meta.resolve('tsx')
const devnetCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const wispCli = fileURLToPath(new URL('../../../packages/node/src/cli.ts', import.meta.url))
const nodeArgs = (script: string, args: string[]) => [
  '--conditions=@wisp/source',
  '--import',
  tsx,
  script,
  ...args,
]
/** `wisp devnet …` as a user runs it, to completion */
const wispDevnet = (args: string[]) =>
  spawnSync(process.execPath, nodeArgs(wispCli, ['devnet', ...args]), { encoding: 'utf8', timeout: 60_000 })

const dir = mkdtempSync(join(tmpdir(), 'wisp-devnet-lock-'))
const children: ChildProcess[] = []
const servers: Server[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  for (const server of servers) server.close()
  rmSync(dir, { recursive: true, force: true })
})

function listen(port: number): Promise<Server | undefined> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(undefined))
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => done(server))
  })
}

/** A --port-offset whose ports (anvil 8545 … metrics 9464+3) are all free now. */
async function freeOffset(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = 20_000 + Math.floor(Math.random() * 30_000)
    const ports = [8545, 8546, 8081, 9090, 9464, 9465, 9466].map((p) => p + offset)
    const held = await Promise.all(ports.map(listen))
    await Promise.all(held.map((s) => new Promise((r) => (s ? s.close(r) : r(undefined)))))
    if (held.every((s) => s !== undefined)) return offset
  }
  throw new Error('no free port range')
}

/** A pid that was a process and is no more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
  return Number(child.stdout.trim())
}

/** Every file under `root` with its size and mtime. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name !== 'LOG' && !path.includes(`${join('relay', '')}`)) {
        const s = statSync(path)
        out[path.slice(root.length)] = `${s.size}@${s.mtimeMs}`
      }
    }
  }
  walk(root)
  return out
}

describe('the devnet lock (lock.ts)', () => {
  it('a lock held by a live process is DEVNET_ALREADY_RUNNING naming its anvil port and pid', async () => {
    const dataDir = join(dir, 'held')
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'])
    children.push(holder)
    writeFileSync(
      lockPathOf(dataDir),
      JSON.stringify({ pid: holder.pid, anvilPort: 8545, dataDir: resolve(dataDir), startedAt: '' }),
    )
    await expect(acquireDevnetLock(dataDir, 8545)).rejects.toMatchObject({
      code: 'DEVNET_ALREADY_RUNNING',
      message: expect.stringMatching(
        new RegExp(`^a Wisp devnet is already running \\(anvil on 8545, pid ${holder.pid}\\) on `),
      ),
    })
    holder.kill('SIGKILL')
    await new Promise((r) => holder.once('exit', r))
    // its process is gone: the lock is stale and taken over
    const lock = await acquireDevnetLock(dataDir, 8600)
    expect(lock.tookOverFrom?.pid).toBe(holder.pid)
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid, anvilPort: 8600 })
    lock.release()
    expect(existsSync(lock.path)).toBe(false)
  })

  it('a stale lock is taken over, then a busy port is DEVNET_PORT_BUSY (exit 3) before anything is wiped', async () => {
    const offset = await freeOffset()
    const dataDir = join(dir, 'stale')
    mkdirSync(dataDir)
    writeFileSync(join(dataDir, 'devnet.json'), '{"from":"an earlier run"}\n')
    const pid = deadPid()
    writeFileSync(
      lockPathOf(dataDir),
      JSON.stringify({ pid, anvilPort: 8545 + offset, dataDir, startedAt: '' }),
    )
    const anvil = (await listen(8545 + offset))!
    servers.push(anvil)
    const run = wispDevnet([
      '--no-web',
      '--attesters',
      '1',
      '--data-dir',
      dataDir,
      '--port-offset',
      String(offset),
    ])
    anvil.close()
    expect(run.stdout).toContain(`(the lock of a devnet that is gone, pid ${pid}, is taken over)`)
    expect(run.stderr).toBe(
      `wisp devnet: DEVNET_PORT_BUSY: port ${8545 + offset} (anvil) is in use by another program: stop it, or move the devnet with --port-offset <n>\n`,
    )
    expect(run.status).toBe(3)
    expect(readFileSync(join(dataDir, 'devnet.json'), 'utf8')).toBe('{"from":"an earlier run"}\n')
    expect(existsSync(lockPathOf(dataDir))).toBe(false) // released on the way out
  })
})

describe('a second devnet while one runs', () => {
  it('stops with DEVNET_ALREADY_RUNNING, exit code 3, and the running network and its files are untouched', async () => {
    const offset = await freeOffset()
    const dataDir = join(dir, 'running')
    const args = ['--no-web', '--attesters', '1', '--data-dir', dataDir, '--port-offset', String(offset)]
    // the first one as `npm start` runs it
    const first = spawn(process.execPath, nodeArgs(devnetCli, args), { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(first)
    let out = ''
    first.stdout!.on('data', (b: Buffer) => {
      out += b.toString()
    })
    first.stderr!.on('data', (b: Buffer) => {
      out += b.toString()
    })
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`the devnet did not come up:\n${out}`)), 180_000)
      const check = () => {
        if (out.includes('Wisp local network is up')) {
          clearTimeout(timer)
          done()
        }
      }
      first.stdout!.on('data', check)
      first.once('exit', (code) => fail(new Error(`the devnet exited with ${code}:\n${out}`)))
    })
    const anvilPort = 8545 + offset
    const rpcUrl = `http://127.0.0.1:${anvilPort}`
    const before = snapshot(dataDir)
    const network = readFileSync(join(dataDir, 'network.json'), 'utf8')
    const info = readFileSync(join(dataDir, 'devnet.json'), 'utf8')
    expect(Object.keys(before).some((f) => f.includes('attester-'))).toBe(true)

    // the second one, as `wisp devnet`, on the same data directory
    const second = wispDevnet(args)
    expect(second.stderr).toBe(
      `wisp devnet: DEVNET_ALREADY_RUNNING: a Wisp devnet is already running (anvil on ${anvilPort}, pid ${first.pid}) on ${resolve(dataDir)}: stop it first (Ctrl-C in its terminal), or start another one with --data-dir <dir> --port-offset <n>\n`,
    )
    expect(second.status).toBe(3)
    expect(second.stdout).not.toContain('starting')

    // another data directory, the same ports: the ports are checked before that directory is made
    const elsewhere = join(dir, 'elsewhere')
    const third = wispDevnet([
      '--no-web',
      '--attesters',
      '1',
      '--data-dir',
      elsewhere,
      '--port-offset',
      String(offset),
    ])
    expect(third.stderr).toMatch(
      new RegExp(
        `^wisp devnet: DEVNET_PORT_BUSY: ports ${anvilPort} \\(anvil\\), ${9090 + offset} \\(relay\\), `,
      ),
    )
    expect(third.status).toBe(3)
    expect(existsSync(elsewhere)).toBe(false)

    // the first network still runs: its chain answers and moves, its files are as they were
    const blockNumber = async () => {
      const response = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      })
      return Number(((await response.json()) as { result: string }).result)
    }
    const b1 = await blockNumber()
    await new Promise((r) => setTimeout(r, 2500))
    expect(await blockNumber()).toBeGreaterThan(b1)
    expect(first.exitCode).toBeNull()
    expect(readFileSync(join(dataDir, 'network.json'), 'utf8')).toBe(network)
    expect(readFileSync(join(dataDir, 'devnet.json'), 'utf8')).toBe(info)
    const after = snapshot(dataDir)
    for (const file of Object.keys(before)) expect(Object.keys(after), file).toContain(file)
    for (const name of ['performer', 'aggregator']) expect(existsSync(join(dataDir, name, 'db'))).toBe(true)

    // Ctrl-C stops it and frees the lock
    const exited = new Promise<number | null>((r) => first.once('exit', (code) => r(code)))
    first.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(existsSync(lockPathOf(dataDir))).toBe(false)
  }, 300_000)
})
