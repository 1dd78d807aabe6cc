// One devnet per data directory, and a second start touches nothing: the lock and the ports are
// checked before startDevnet wipes the data directory.
//
// The lock is a file beside the data directory, `<data-dir>.lock` (`.wisp/devnet.lock` by
// default), not inside it: startDevnet wipes the data directory, lock included. It holds the pid
// of the devnet's process and the port of its anvil. It is created exclusively (O_EXCL), so two
// starts cannot both take it; a lock whose process is gone (a killed run) is taken over.

import { readFileSync, unlinkSync } from 'node:fs'
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { dirname, resolve } from 'node:path'
import { DevnetError } from './errors.js'

export interface LockOwner {
  pid: number
  anvilPort: number
  dataDir: string
  startedAt: string
}

export interface DevnetLock {
  readonly path: string
  /** the owner of a stale lock this run took over */
  readonly tookOverFrom: LockOwner | undefined
  /** removes the lock file if it is still this process's */
  release(): void
}

export const lockPathOf = (dataDir: string) => `${resolve(dataDir)}.lock`

/** Is `pid` a live process that could be a devnet (a node process)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM'
  }
  // a pid reused by an unrelated program after the devnet died: not a devnet
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node')
  } catch {
    return true
  }
}

async function readOwner(path: string): Promise<LockOwner | 'unreadable' | 'gone'> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return 'gone'
    throw err
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    if (Number.isInteger(owner.pid) && Number.isInteger(owner.anvilPort)) return owner as LockOwner
  } catch {
    // being written right now, or garbage
  }
  return 'unreadable'
}

/**
 * Takes the lock of `dataDir` for this process, or throws DEVNET_ALREADY_RUNNING naming the
 * running devnet's anvil port and pid. Touches nothing but the lock file.
 */
export async function acquireDevnetLock(dataDir: string, anvilPort: number): Promise<DevnetLock> {
  const path = lockPathOf(dataDir)
  await mkdir(dirname(path), { recursive: true })
  const mine: LockOwner = {
    pid: process.pid,
    anvilPort,
    dataDir: resolve(dataDir),
    startedAt: new Date().toISOString(),
  }
  let tookOverFrom: LockOwner | undefined
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(mine)}\n`, { flag: 'wx' })
      return lock(path, tookOverFrom)
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err
    }
    const owner = await readOwner(path)
    if (owner === 'gone') continue
    if (owner === 'unreadable') {
      // a start that is writing it now gets a moment; an old unreadable file is garbage
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs
      if (age < 2000) {
        await new Promise((r) => setTimeout(r, 100))
        continue
      }
    } else if (owner.pid !== process.pid && isAlive(owner.pid)) {
      throw new DevnetError(
        'DEVNET_ALREADY_RUNNING',
        `a Wisp devnet is already running (anvil on ${owner.anvilPort}, pid ${owner.pid}) on ${owner.dataDir}: ` +
          'stop it first (Ctrl-C in its terminal), or start another one with --data-dir <dir> --port-offset <n>',
        { details: { ...owner, lock: path } },
      )
    } else {
      tookOverFrom = owner
    }
    await unlink(path).catch(() => undefined)
  }
  throw new DevnetError('DEVNET_ALREADY_RUNNING', `cannot take the devnet lock ${path}`, {
    details: { lock: path },
  })
}

function lock(path: string, tookOverFrom: LockOwner | undefined): DevnetLock {
  let released = false
  const release = () => {
    if (released) return
    released = true
    process.off('exit', release)
    try {
      const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner
      if (owner.pid === process.pid) unlinkSync(path)
    } catch {
      // gone already
    }
  }
  // however the process ends (but a SIGKILL: then the next start takes the stale lock over)
  process.on('exit', release)
  return { path, tookOverFrom, release }
}

/** The ports a devnet listens on, as startDevnet assigns them (metrics: performer, aggregator, attesters). */
export function devnetPorts(options: {
  ports: { anvil: number; relay: number; jsonRpc: number; metrics: number; priceSource: number; web: number }
  attesters: number
  web: boolean
}): Array<{ name: string; port: number }> {
  const p = options.ports
  return [
    { name: 'anvil', port: p.anvil },
    { name: 'relay', port: p.relay },
    { name: 'JSON-RPC', port: p.jsonRpc },
    { name: 'price source', port: p.priceSource },
    { name: 'performer metrics', port: p.metrics },
    { name: 'aggregator metrics', port: p.metrics + 1 },
    ...Array.from({ length: options.attesters }, (_, i) => ({
      name: `attester metrics`,
      port: p.metrics + 2 + i,
    })),
    ...(options.web ? [{ name: 'web attester', port: p.web }] : []),
  ].filter((x) => x.port !== 0)
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(true)))
  })
}

/** Throws DEVNET_PORT_BUSY naming every port (on 127.0.0.1, where the devnet listens) in use. */
export async function checkDevnetPorts(ports: Array<{ name: string; port: number }>): Promise<void> {
  const busy: Array<{ name: string; port: number }> = []
  for (const p of ports) if (!(await isFree(p.port, '127.0.0.1'))) busy.push(p)
  if (busy.length === 0) return
  const list = busy.map((p) => `${p.port} (${p.name})`).join(', ')
  throw new DevnetError(
    'DEVNET_PORT_BUSY',
    `${busy.length === 1 ? 'port' : 'ports'} ${list} ${busy.length === 1 ? 'is' : 'are'} in use by another program: ` +
      'stop it, or move the devnet with --port-offset <n>',
    { details: { busy } },
  )
}
