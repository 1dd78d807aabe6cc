// Starts a real anvil (the binary shipped in the npm package @foundry-rs/anvil) on a free loopback port.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** Path of the anvil executable inside @foundry-rs/anvil-<platform>-<arch> (or the postinstall fallback). */
export function anvilPath(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const candidates: string[] = []
  try {
    candidates.push(require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${exe}`))
  } catch {
    // not installed for this platform; try the wrapper's download location
  }
  try {
    candidates.push(join(dirname(require.resolve('@foundry-rs/anvil/package.json')), '..', 'dist', exe))
  } catch {
    // wrapper missing
  }
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`anvil binary not found for ${process.platform}-${process.arch}`)
  return found
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface Anvil {
  rpcUrl: string
  port: number
  chainId: number
  stop(): Promise<void>
}

export interface AnvilOptions {
  chainId?: number
  /** Extra command-line arguments. */
  args?: string[]
}

/** Spawns anvil and resolves once it listens. Retries on a port race. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    try {
      const child = await spawnAnvil(port, chainId, options.args ?? [])
      return {
        rpcUrl: `http://127.0.0.1:${port}`,
        port,
        chainId,
        stop: () => stopChild(child),
      }
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}

function spawnAnvil(port: number, chainId: number, args: string[]): Promise<ChildProcess> {
  const child = spawn(
    anvilPath(),
    [
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--chain-id',
      String(chainId),
      '--accounts',
      '3',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`anvil did not start within 15 s:\n${output}`))
    }, 15_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Listening on')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`anvil exited with ${code}:\n${output}`))
    })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
