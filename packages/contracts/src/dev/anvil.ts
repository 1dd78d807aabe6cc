// Starts a real anvil from the npm package @foundry-rs/anvil (an optional peer dependency), whose
// platform packages ship the binary. Node only; for tests, the devnet and benchmarks.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DevError } from './errors.js'

export interface AnvilOptions {
  /** 0 = a free port chosen by the OS (read back from anvil's output). */
  port: number
  host: string
  chainId: number
  /** Seconds between blocks; 0 = mine each transaction at once (automine). */
  blockTime: number
  /** Dev accounts to create (anvil's well-known mnemonic). */
  accounts: number
  /** Balance of each dev account, in ETH. */
  balance: number
  /** e.g. "prague"; default: anvil's latest. */
  hardfork?: string
  /** Extra command-line arguments. */
  args: readonly string[]
  /** Path of the anvil executable; default: the one shipped in @foundry-rs/anvil-<platform>-<arch>. */
  binaryPath?: string
  startTimeoutMs: number
  /** Forward anvil's stdout/stderr to this process's (debugging). */
  inheritOutput: boolean
}

export const DEFAULT_ANVIL_OPTIONS: AnvilOptions = {
  port: 0,
  host: '127.0.0.1',
  chainId: 31337,
  blockTime: 0,
  accounts: 10,
  balance: 10_000,
  args: [],
  startTimeoutMs: 15_000,
  inheritOutput: false,
}

export interface Anvil {
  rpcUrl: string
  wsUrl: string
  host: string
  port: number
  chainId: number
  pid: number
  /** Stops anvil (SIGTERM, SIGKILL after 3 s). Idempotent. */
  stop(): Promise<void>
}

const require = createRequire(import.meta.url)

/** The anvil executable shipped in the npm package for this platform. Throws DEV_ANVIL_FAILED when absent. */
export function anvilBinaryPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const candidates: string[] = []
  try {
    candidates.push(require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${exe}`))
  } catch {
    // no platform package; try where the wrapper's postinstall downloads to
  }
  try {
    candidates.push(join(dirname(require.resolve('@foundry-rs/anvil/package.json')), '..', 'dist', exe))
  } catch {
    // wrapper missing
  }
  const found = candidates.find((p) => existsSync(p))
  if (!found) {
    throw new DevError(
      'DEV_ANVIL_FAILED',
      `no anvil binary for ${process.platform}-${process.arch}: install @foundry-rs/anvil (and its platform package)`,
      { details: { candidates } },
    )
  }
  return found
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // a crashed test run must not leave anvils behind
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL')
  })
}

/** Starts anvil and resolves once it listens. */
export async function startAnvil(options: Partial<AnvilOptions> = {}): Promise<Anvil> {
  const o: AnvilOptions = { ...DEFAULT_ANVIL_OPTIONS, ...options }
  const args = [
    '--host',
    o.host,
    '--port',
    String(o.port),
    '--chain-id',
    String(o.chainId),
    '--accounts',
    String(o.accounts),
    '--balance',
    String(o.balance),
    ...(o.blockTime > 0 ? ['--block-time', String(o.blockTime)] : []),
    ...(o.hardfork ? ['--hardfork', o.hardfork] : []),
    ...o.args,
  ]
  const child = spawn(o.binaryPath ?? anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  installExitHook()
  child.once('exit', () => running.delete(child))

  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    const fail = (message: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new DevError('DEV_ANVIL_FAILED', `${message}\n${output.slice(-2000)}`, { details: { args } }))
    }
    const timer = setTimeout(
      () => fail(`anvil did not start within ${o.startTimeoutMs} ms`),
      o.startTimeoutMs,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (o.inheritOutput) process.stdout.write(chunk)
      const match = /Listening on ([^\s:]+|\[[^\]]+\]):(\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        child.removeListener('exit', onExit)
        resolve(Number(match[2]))
      }
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`anvil exited (${code ?? signal}) before listening`)
    child.once('exit', onExit)
    child.once('error', (err) => fail(`cannot run anvil: ${err.message}`))
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (o.inheritOutput) process.stderr.write(chunk)
    })
  })
  // keep draining output so anvil never blocks on a full pipe
  child.stdout?.removeAllListeners('data')
  child.stdout?.resume()
  child.stderr?.removeAllListeners('data')
  child.stderr?.resume()
  if (o.inheritOutput) {
    child.stdout?.pipe(process.stdout)
    child.stderr?.pipe(process.stderr)
  }

  const host = o.host.includes(':') ? `[${o.host}]` : o.host
  let stopping: Promise<void> | undefined
  return {
    rpcUrl: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}`,
    host: o.host,
    port,
    chainId: o.chainId,
    pid: child.pid ?? 0,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.kill('SIGTERM')
      })
      return stopping
    },
  }
}
