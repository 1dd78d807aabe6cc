// npm start, wisp devnet: the local network with a live log; Ctrl-C stops everything.
//
// Before anything is started or wiped: the flags are checked, the data directory's lock is taken
// (a second devnet on the same data directory stops here, touching nothing) and every port the
// devnet needs is checked free. Errors are one line, `wisp devnet: <CODE>: <message>`; exit codes:
// 2 bad flags, 3 another devnet or program holds the data directory or a port, 1 anything else.

import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { createConsoleLogger } from '@wisp/node'
import { WispError } from '@wisp/protocol'
import { DEFAULT_DEVNET_OPTIONS, type DevnetOptions, startDevnet } from './devnet.js'
import { DevnetError } from './errors.js'
import { acquireDevnetLock, checkDevnetPorts, devnetPorts } from './lock.js'

const D = DEFAULT_DEVNET_OPTIONS
const USAGE = `wisp devnet — the whole local network: anvil, contracts, relay, performer, aggregator,
Node attesters and the web attester, with a live log of every task.

usage: wisp devnet [flags]        (npm start -- [flags] from the repository root)

flags:
  --data-dir <dir>       state of this run (wiped at start)                  [${D.dataDir}]
  --attesters <n>        Node attesters, 1 to 64                             [${D.attesterPowers.length}]
  --no-web               do not serve the web attester
  --port-offset <n>      add <n> to every port (anvil ${D.ports.anvil}, relay ${D.ports.relay}, JSON-RPC ${D.ports.jsonRpc},
                         price source ${D.ports.priceSource}, metrics ${D.ports.metrics}…, web ${D.ports.web})   [0]
  --log-level <level>    debug | info | warn | error for the nodes' own logs  [warn]
  --full-hashes          the live log prints task and transaction hashes in full
  --help

One devnet per data directory: a second start while one runs stops with DEVNET_ALREADY_RUNNING
(exit code 3) and touches nothing. Two networks side by side: another --data-dir and --port-offset.
`

function bad(message: string): never {
  throw new DevnetError('DEVNET_BAD_FLAGS', message)
}

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max)
    bad(`--${flag} must be an integer from ${min} to ${max}, got "${value}"`)
  return n
}

/** The devnet's flags → its options, or 'help'. Throws DEVNET_BAD_FLAGS; touches nothing. */
export function parseDevnetArgs(argv: string[]): 'help' | { options: Partial<DevnetOptions>; level: string } {
  // --help wins over everything else on the line, even flags that would not parse
  if (argv.includes('--help') || argv.includes('-h')) return 'help'
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        attesters: { type: 'string' },
        'no-web': { type: 'boolean' },
        'port-offset': { type: 'string' },
        'full-hashes': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    const flag = /'(-[^' ]+)/.exec((err as Error).message)?.[1]
    const code = (err as { code?: string }).code
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') bad(`unknown flag ${flag} (see wisp devnet --help)`)
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') bad(`${flag} needs a value`)
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      bad(`unexpected argument ${/'([^']*)'/.exec((err as Error).message)?.[0]} (see wisp devnet --help)`)
    bad((err as Error).message)
  }
  const attesters =
    values.attesters === undefined
      ? D.attesterPowers.length
      : integer(values.attesters as string, 'attesters', 1, 64)
  const level = (values['log-level'] as string | undefined) ?? 'warn'
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    bad(`--log-level must be debug, info, warn or error, got "${level}"`)
  // the highest port is the last attester's metrics
  const maxOffset =
    65_535 - Math.max(D.ports.metrics + 1 + attesters, D.ports.relay, D.ports.anvil, D.ports.web)
  const offset =
    values['port-offset'] === undefined
      ? 0
      : integer(values['port-offset'] as string, 'port-offset', 0, maxOffset)
  const shift = (port: number) => port + offset
  return {
    options: {
      dataDir: (values['data-dir'] as string | undefined) ?? D.dataDir,
      attesterPowers: Array.from({ length: attesters }, (_, i) => D.attesterPowers[i] ?? 10),
      web: values['no-web'] !== true,
      fullHashes: values['full-hashes'] === true,
      ports: {
        anvil: shift(D.ports.anvil),
        relay: shift(D.ports.relay),
        jsonRpc: shift(D.ports.jsonRpc),
        metrics: shift(D.ports.metrics),
        priceSource: shift(D.ports.priceSource),
        web: shift(D.ports.web),
      },
    },
    level,
  }
}

async function devnetMain(argv: string[]): Promise<void> {
  const parsed = parseDevnetArgs(argv)
  if (parsed === 'help') {
    process.stdout.write(USAGE)
    return
  }
  const options = parsed.options as DevnetOptions
  const lock = await acquireDevnetLock(options.dataDir, options.ports.anvil)
  try {
    if (lock.tookOverFrom)
      process.stdout.write(
        `(the lock of a devnet that is gone, pid ${lock.tookOverFrom.pid}, is taken over)\n`,
      )
    await checkDevnetPorts(
      devnetPorts({ ports: options.ports, attesters: options.attesterPowers.length, web: options.web }),
    )
    process.stdout.write('starting the Wisp local network…\n')
    const devnet = await startDevnet(parsed.options, {
      logger: createConsoleLogger({ level: parsed.level as 'debug' | 'info' | 'warn' | 'error' }),
      print: (line) => process.stdout.write(`${line}\n`),
    })
    const i = devnet.info
    process.stdout.write(
      [
        '',
        'Wisp local network is up',
        `  chain              ${i.rpcUrl} (chain id ${i.chainId})`,
        `  AttestationCenter  ${i.attestationCenter}`,
        `  relay              ${i.relay.join(' ')}`,
        `  JSON-RPC           ${i.jsonRpc}   (Othentic sendTask, sendCustomMessage)`,
        `  price source       ${i.priceSource}`,
        `  task definitions   hash-chain=${i.taskDefinitions.hashChain} price-oracle=${i.taskDefinitions.priceOracle}`,
        `  operators          ${i.operators.map((o) => `${o.name}#${o.id} (power ${o.votingPower})`).join(', ')}`,
        ...(i.web
          ? [`  web attester       ${i.web}   (open it, create a key, fund it from the faucet, register)`]
          : []),
        `  network file       ${i.networkFilePath}   (wisp attester --network it; written by wisp deploy's code)`,
        `  operator config    ${i.networkConfigPath}   (derived from it: wisp attester --config, the edge worker's WISP_CONFIG)`,
        `  data               ${devnet.options.dataDir}`,
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    )
    let stopping = false
    const stop = () => {
      if (stopping) return
      stopping = true
      process.stdout.write('\nstopping the local network…\n')
      void devnet.stop().then(() => {
        lock.release()
        process.exit(0)
      })
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  } catch (err) {
    lock.release()
    throw err
  }
}

export function exitCodeOf(err: unknown): number {
  if (!(err instanceof WispError)) return 1
  if (err.code === 'DEVNET_BAD_FLAGS') return 2
  if (err.code === 'DEVNET_ALREADY_RUNNING' || err.code === 'DEVNET_PORT_BUSY') return 3
  return 1
}

/** The devnet's command line (npm start, wisp devnet): errors end the process with their exit code. */
export async function runDevnetCli(argv: string[]): Promise<void> {
  try {
    await devnetMain(argv)
  } catch (err) {
    // a coded error is one line; anything else is a bug, with its stack
    process.stderr.write(
      err instanceof WispError
        ? `wisp devnet: ${err.code}: ${err.message}\n`
        : `wisp devnet: ${(err as Error)?.stack ?? String(err)}\n`,
    )
    process.exit(exitCodeOf(err))
  }
}

// run directly (npm start, the wisp-devnet bin), not when imported by `wisp devnet`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runDevnetCli(process.argv.slice(2))
}
