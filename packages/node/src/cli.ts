#!/usr/bin/env node
// `wisp` — the Node CLI: relay | attester | aggregator | performer | devnet.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { loadPluginModule, type PluginRegistration } from '@wisp/core'
import { createRelay } from '@wisp/p2p/node'
import { WispError } from '@wisp/protocol'
import { NodeError } from './errors.js'
import { createConsoleLogger, type LogLevel } from './logger.js'
import { startWispNode } from './run.js'
import { keysFromEcdsa, keysFromKeystore } from './signers.js'

const USAGE = `wisp — a light operator for Othentic-style AVS networks

usage: wisp <command> [flags]

commands:
  devnet       the whole local network: anvil, contracts, relay, performer, aggregator, attesters
  attester     run an attester          (validates tasks, BLS-signs votes)
  aggregator   run an aggregator        (collects votes, submits to the AttestationCenter)
  performer    run a performer          (executes tasks when elected)
  relay        run a bootstrap relay

node flags (attester | aggregator | performer):
  --chain-rpc <url>              chain JSON-RPC (required)
  --attestation-center <addr>    AttestationCenter address (required)
  --chain-id <n>                 expected chain id (refuse another)
  --private-key <0x…>            operator ECDSA key (BLS key derived as Othentic does)
  --keystore <file>              or: an encrypted wisp keystore; passphrase from WISP_PASSPHRASE
  --bls-private-key <0x…>        a BLS key of its own instead of the derived one
  --bootstrap <multiaddr>        relay to dial (repeatable)
  --p2p.datadir <dir>            data directory (databases, slashing protection)   [.wisp/<command>]
  --p2p.listen <multiaddr>       also listen (repeatable)
  --json-rpc <port>              serve JSON-RPC sendTask / sendCustomMessage on this port
  --metrics <port>               serve Prometheus /metrics on this port
  --avs-webapi <url>             validate through this service (POST /task/validate) instead of plugins
  --plugin <module>              load a plugin package (repeatable); config via --plugin-config
  --plugin-config <json|@file>   config of the plugins, by plugin id: {"<id>": {...}}
  --task-definition <id>         (performer) task definition to perform (repeatable)
  --interval <ms>                (performer) run every <ms>
  --every-blocks <n>             (performer) run every <n> blocks
  --signature-type ecdsa|bls     (performer) how to sign tasks                       [ecdsa]
  --delay <ms>                   (aggregator) wait after reaching the threshold       [0]
  --log-level debug|info|warn|error                                                   [info]

devnet flags:
  --data-dir <dir>               [.wisp/devnet]
  --attesters <n>                number of Node attesters                             [4]
`

const NODE_FLAGS = {
  'chain-rpc': { type: 'string' },
  'attestation-center': { type: 'string' },
  'chain-id': { type: 'string' },
  'private-key': { type: 'string' },
  keystore: { type: 'string' },
  'bls-private-key': { type: 'string' },
  bootstrap: { type: 'string', multiple: true },
  'p2p.datadir': { type: 'string' },
  'p2p.listen': { type: 'string', multiple: true },
  'json-rpc': { type: 'string' },
  metrics: { type: 'string' },
  'avs-webapi': { type: 'string' },
  plugin: { type: 'string', multiple: true },
  'plugin-config': { type: 'string' },
  'task-definition': { type: 'string', multiple: true },
  interval: { type: 'string' },
  'every-blocks': { type: 'string' },
  'signature-type': { type: 'string' },
  delay: { type: 'string' },
  'log-level': { type: 'string' },
  'data-dir': { type: 'string' },
  attesters: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

function bad(message: string): never {
  throw new NodeError('NODE_BAD_FLAGS', message)
}

function int(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d+$/.test(value)) bad(`--${flag} must be a non-negative integer, got "${value}"`)
  return Number(value)
}

function address(value: string | undefined, flag: string): `0x${string}` {
  if (value === undefined) bad(`--${flag} is required`)
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) bad(`--${flag} must be a 0x-prefixed 20-byte address`)
  return value as `0x${string}`
}

async function pluginConfigs(value: string | undefined): Promise<Record<string, unknown>> {
  if (value === undefined) return {}
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value
  try {
    const parsed = JSON.parse(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object')
    return parsed
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `--plugin-config must be a JSON object by plugin id: ${(cause as Error).message}`,
    )
  }
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE)
    return
  }
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    values = parseArgs({ args: rest, options: NODE_FLAGS, strict: true, allowPositionals: false }).values
  } catch (err) {
    bad((err as Error).message)
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return
  }
  const level = (values['log-level'] as LogLevel | undefined) ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    bad('--log-level must be debug, info, warn or error')
  const logger = createConsoleLogger({ level })
  const stopOnSignal = (stop: () => Promise<void>) => {
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

  switch (command) {
    case 'devnet': {
      // The local network lives in apps/devnet (it depends on this package and on the web app, so
      // this package cannot depend on it): load it by name, from the workspace.
      const specifier = '@wisp/devnet'
      let devnet: { runDevnetCli: (args: string[]) => Promise<void> }
      try {
        devnet = (await import(specifier)) as typeof devnet
      } catch (cause) {
        throw new NodeError(
          'NODE_BAD_FLAGS',
          'wisp devnet needs the @wisp/devnet workspace package (run it from a Wisp checkout)',
          { cause },
        )
      }
      await devnet.runDevnetCli(rest)
      return
    }
    case 'relay': {
      const relay = await createRelay(
        {
          listen: (values['p2p.listen'] as string[] | undefined) ?? ['/ip4/0.0.0.0/tcp/9090/ws'],
          dataDir: (values['p2p.datadir'] as string | undefined) ?? '.wisp/relay',
        },
        { logger: logger.child('relay') },
      )
      process.stdout.write(`relay ${relay.peerId}\n${relay.getMultiaddrs().join('\n')}\n`)
      stopOnSignal(() => relay.stop())
      return
    }
    case 'attester':
    case 'aggregator':
    case 'performer': {
      const rpcUrl = (values['chain-rpc'] as string | undefined) ?? bad('--chain-rpc is required')
      const attestationCenter = address(
        values['attestation-center'] as string | undefined,
        'attestation-center',
      )
      const privateKey = values['private-key'] as `0x${string}` | undefined
      const keystore = values.keystore as string | undefined
      if ((privateKey === undefined) === (keystore === undefined))
        bad('give exactly one of --private-key and --keystore')
      const keys =
        keystore !== undefined
          ? await keysFromKeystore(
              keystore,
              process.env.WISP_PASSPHRASE ?? bad('--keystore needs the passphrase in WISP_PASSPHRASE'),
            )
          : keysFromEcdsa(privateKey!, values['bls-private-key'] as `0x${string}` | undefined)
      const configs = await pluginConfigs(values['plugin-config'] as string | undefined)
      const plugins: PluginRegistration[] = []
      for (const specifier of (values.plugin as string[] | undefined) ?? []) {
        const plugin = await loadPluginModule(specifier, (s) => import(s))
        plugins.push({ plugin, config: configs[plugin.manifest.id] ?? {} })
      }
      const signatureType = (values['signature-type'] as string | undefined) ?? 'ecdsa'
      if (signatureType !== 'ecdsa' && signatureType !== 'bls') bad('--signature-type must be ecdsa or bls')
      const taskDefinitionIds = ((values['task-definition'] as string[] | undefined) ?? []).map((v) =>
        int(v, 'task-definition', 0),
      )
      if (command === 'performer' && taskDefinitionIds.length === 0)
        bad('a performer needs --task-definition')
      const webapi = values['avs-webapi'] as string | undefined
      const jsonRpcPort = values['json-rpc'] as string | undefined
      const metricsPort = values.metrics as string | undefined
      const chainId = values['chain-id'] as string | undefined
      const node = await startWispNode(
        {
          name: command,
          keys,
          chain: { rpcUrl, attestationCenter, ...(chainId ? { chainId: int(chainId, 'chain-id', 0) } : {}) },
          p2p: {
            bootstrap: (values.bootstrap as string[] | undefined) ?? [],
            listen: (values['p2p.listen'] as string[] | undefined) ?? [],
          },
          dataDir: (values['p2p.datadir'] as string | undefined) ?? `.wisp/${command}`,
          roles: {
            ...(command === 'attester'
              ? { attester: webapi ? { validationService: { url: webapi, timeoutMs: 10_000 } } : {} }
              : {}),
            ...(command === 'aggregator'
              ? { aggregator: { delayMs: int(values.delay as string | undefined, 'delay', 0) } }
              : {}),
            ...(command === 'performer'
              ? {
                  performer: {
                    taskDefinitionIds,
                    signatureType,
                    intervalMs: int(values.interval as string | undefined, 'interval', 0),
                    everyBlocks: int(values['every-blocks'] as string | undefined, 'every-blocks', 0),
                  },
                }
              : {}),
          },
          plugins,
          ...(jsonRpcPort ? { jsonRpc: { port: int(jsonRpcPort, 'json-rpc', 0) } } : {}),
          ...(metricsPort ? { metrics: { port: int(metricsPort, 'metrics', 0) } } : {}),
        },
        { logger },
      )
      stopOnSignal(() => node.stop())
      return
    }
    default:
      bad(`unknown command "${command}" (try wisp --help)`)
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof WispError) process.stderr.write(`wisp: ${err.code}: ${err.message}\n`)
  else process.stderr.write(`wisp: ${(err as Error)?.stack ?? String(err)}\n`)
  process.exit(err instanceof NodeError && err.code === 'NODE_BAD_FLAGS' ? 2 : 1)
})
