#!/usr/bin/env node
// `wisp` — the Node CLI: attester | aggregator | performer | relay | devnet, and Othentic's
// grammar for the node roles (`wisp run <role> [bootstrap…]`, see flags.ts).
//
// Order of work: parse the command line (flags.ts), check every flag before anything is opened
// (preflight.ts), map the flags to the node's config (node-config.ts), then start. The heavy
// modules (libp2p, LevelDB, the operator) load only once the flags are known to be good, so help,
// --version and flag errors answer at once. `wisp devnet` hands its argv, untouched, to the
// devnet's own command line (apps/devnet).
import { WispError } from '@wisp/protocol'
import { devnet } from './devnet-command.js'
import { NodeError } from './errors.js'
import {
  commandUsage,
  type FlagValues,
  type Grammar,
  type NodeCommand,
  packageVersion,
  parseCommandLine,
  type ToolCommand,
  USAGE,
} from './flags.js'
import { createConsoleLogger } from './logger.js'
import type { ToolIo } from './tool-io.js'

// @wisp/deploy's DEPLOY_BAD_INPUT_CODES, spelled out so that `wisp` does not load the deployer to start
const DEPLOY_BAD_INPUT = [
  'DEPLOY_INVALID_PLAN',
  'DEPLOY_UNKNOWN_PLUGIN',
  'DEPLOY_WRONG_CHAIN',
  'DEPLOY_RECORD_MISMATCH',
  'DEPLOY_RECORD_INVALID',
  'DEPLOY_BAD_KEY',
  'KEYSTORE_DECRYPT_FAILED',
]
/** Codes of bad input (flags, keys): exit code 2. Any other coded error: 1. */
const BAD_INPUT = new Set(['NODE_BAD_FLAGS', 'NODE_BAD_KEY', 'OPERATOR_INVALID_CONFIG', ...DEPLOY_BAD_INPUT])

function exitCodeOf(err: unknown): number {
  return err instanceof WispError && BAD_INPUT.has(err.code) ? 2 : 1
}

function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false
  const handler = () => {
    if (stopping) return
    stopping = true
    process.stderr.write('\nstopping…\n')
    void stop().then(() => process.exit(0))
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}

// ---- nodes -------------------------------------------------------------------------------------

/** The chain id when --chain-id is not given: asked once from the RPC. */
async function chainIdOf(rpcUrl: string): Promise<number> {
  const { createPublicClient, http } = await import('viem')
  try {
    return await createPublicClient({
      transport: http(rpcUrl, { retryCount: 1, timeout: 10_000 }),
    }).getChainId()
  } catch (cause) {
    const reason = (cause as { shortMessage?: string; details?: string }).details ?? (cause as Error).message
    throw new NodeError('NODE_RPC_UNREACHABLE', `--chain-rpc ${rpcUrl}: ${reason.split('\n')[0]}`, { cause })
  }
}

async function node(command: NodeCommand, values: FlagValues, grammar: Grammar): Promise<void> {
  const { preflightNode } = await import('./preflight.js')
  const plan = await preflightNode(command, values, { env: process.env, cwd: process.cwd() })
  for (const warning of plan.warnings) process.stderr.write(`wisp: warning: ${warning}\n`)
  const chainId = plan.chain.chainId ?? (await chainIdOf(plan.chain.rpcUrl))
  const { nodeConfigOf } = await import('./node-config.js')
  const config = nodeConfigOf(plan, chainId, grammar)
  // the aggregator is Othentic's bootstrap node: its peer id may come from OTHENTIC_BOOTSTRAP_SEED
  if (command === 'aggregator') config.p2pSeed ??= await bootstrapSeed()
  const write = await logWriter(process.env.LOG_DIR, command)
  const { startWispNode } = await import('./run.js')
  const started = await startWispNode(config, {
    logger: createConsoleLogger({ level: plan.logLevel, write }),
  })
  stopOnSignal(() => started.stop())
}

/**
 * LOG_DIR (Othentic's variable): every log line also goes to `<LOG_DIR>/<role>.log`, appended, so
 * a restart keeps the earlier lines. Without it, stderr only.
 */
async function logWriter(dir: string | undefined, role: string): Promise<(line: string) => void> {
  const toStderr = (line: string) => process.stderr.write(`${line}\n`)
  if (dir === undefined || dir.trim() === '') return toStderr
  const { mkdirSync, openSync, writeSync } = await import('node:fs')
  const { join, resolve } = await import('node:path')
  const path = join(resolve(dir), `${role}.log`)
  let fd: number
  try {
    mkdirSync(resolve(dir), { recursive: true })
    fd = openSync(path, 'a', 0o640)
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `LOG_DIR (environment) ${dir}: cannot write ${path} (${(cause as { code?: string }).code ?? (cause as Error).message})`,
      { cause },
    )
  }
  return (line) => {
    toStderr(line)
    writeSync(fd, `${new Date().toISOString().slice(0, 10)} ${line}\n`)
  }
}

/**
 * OTHENTIC_BOOTSTRAP_SEED (32-byte Ed25519 seed, hex) for the bootstrap's peer id. Only the bootstrap
 * takes it: Othentic's compose file gives every service the same environment, attesters included.
 */
async function bootstrapSeed(): Promise<string | undefined> {
  const value = process.env.OTHENTIC_BOOTSTRAP_SEED
  if (value === undefined || value.trim() === '') return undefined
  const { seedFromHex } = await import('@wisp/p2p/node')
  try {
    return seedFromHex(value, 'OTHENTIC_BOOTSTRAP_SEED')
  } catch (cause) {
    throw new NodeError('NODE_BAD_FLAGS', (cause as Error).message, { cause })
  }
}

async function relay(values: FlagValues): Promise<void> {
  const { preflightRelay } = await import('./preflight.js')
  const plan = await preflightRelay(values)
  const { createRelay, loadOrCreateSeed } = await import('@wisp/p2p/node')
  const logger = createConsoleLogger({ level: plan.logLevel })
  // the peer id is in other peers' bootstrap lists: from the environment, else kept in the data dir
  const seed = (await bootstrapSeed()) ?? loadOrCreateSeed(plan.dataDir)
  const started = await createRelay(
    { listen: plan.listen, peers: plan.peers, dataDir: plan.dataDir, seed },
    { logger: logger.child('relay') },
  )
  process.stdout.write(`relay ${started.peerId}\n${started.getMultiaddrs().join('\n')}\n`)
  stopOnSignal(() => started.stop())
}

/**
 * `wisp deploy | keystore | operator`: each lives in ./commands/<name>.ts and exports
 * `run(argv, io)`; loaded only when asked for, so the node commands do not pay for them.
 */
async function runTool(tool: ToolCommand, argv: string[]): Promise<void> {
  const io: ToolIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  }
  const module = (await import(`./commands/${tool}.js`)) as {
    run: (args: string[], io: ToolIo) => Promise<void>
  }
  await module.run(argv, io)
}

export async function main(argv: string[]): Promise<void> {
  const line = parseCommandLine(argv)
  switch (line.kind) {
    case 'usage':
      process.stdout.write(USAGE)
      return
    case 'version':
      process.stdout.write(`${packageVersion()}\n`)
      return
    case 'help':
      process.stdout.write(commandUsage(line.command, line.grammar))
      return
    case 'devnet':
      return devnet(line.argv)
    case 'tool':
      return runTool(line.tool, line.argv)
    case 'run':
      return line.command === 'relay' ? relay(line.values) : node(line.command, line.values, line.grammar)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // a coded error is one line; anything else is a bug, with its stack
  if (err instanceof WispError) process.stderr.write(`wisp: ${err.code}: ${err.message}\n`)
  else process.stderr.write(`wisp: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(exitCodeOf(err))
})
