// `npm start` / `wisp devnet`: the local network with a live log; Ctrl-C stops everything.
import { parseArgs } from 'node:util'
import { createConsoleLogger } from '@wisp/node'
import { DEFAULT_DEVNET_OPTIONS, startDevnet } from './devnet.js'

const USAGE = `wisp devnet — the whole local network: anvil, contracts, relay, performer, aggregator,
Node attesters and the web attester, with a live log of every task.

flags:
  --data-dir <dir>     state of this run (wiped at start)            [${DEFAULT_DEVNET_OPTIONS.dataDir}]
  --attesters <n>      Node attesters                                 [${DEFAULT_DEVNET_OPTIONS.attesterPowers.length}]
  --no-web             do not serve the web attester
  --log-level <level>  debug | info | warn | error for the nodes' own logs   [warn]
`

export async function runDevnetCli(argv: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        attesters: { type: 'string' },
        'no-web': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values
  } catch (err) {
    process.stderr.write(`wisp devnet: ${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  const attesters =
    values.attesters === undefined ? DEFAULT_DEVNET_OPTIONS.attesterPowers.length : Number(values.attesters)
  if (!Number.isInteger(attesters) || attesters < 1 || attesters > 64) {
    process.stderr.write('wisp devnet: --attesters must be an integer from 1 to 64\n')
    process.exit(2)
  }
  const level = (values['log-level'] as 'debug' | 'info' | 'warn' | 'error' | undefined) ?? 'warn'
  process.stdout.write('starting the Wisp local network…\n')
  const devnet = await startDevnet(
    {
      dataDir: (values['data-dir'] as string | undefined) ?? DEFAULT_DEVNET_OPTIONS.dataDir,
      attesterPowers: Array.from(
        { length: attesters },
        (_, i) => DEFAULT_DEVNET_OPTIONS.attesterPowers[i] ?? 10,
      ),
      web: values['no-web'] !== true,
    },
    { logger: createConsoleLogger({ level }), print: (line) => process.stdout.write(`${line}\n`) },
  )
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
      ...(i.web ? [`  web attester       ${i.web}   (open it, create a key, register with one click)`] : []),
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
    void devnet.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

// run directly (npm start), not when imported by `wisp devnet`
if (import.meta.url === `file://${process.argv[1]}`) {
  runDevnetCli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `wisp devnet: ${(err as { code?: string }).code ?? 'ERROR'}: ${(err as Error).message}\n`,
    )
    process.exit(1)
  })
}
