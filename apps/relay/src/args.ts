/// <reference types="node" />
import { parseArgs } from 'node:util'
import {
  type ConfigFile,
  chainOf,
  checkMultiaddr,
  operatorsOf,
  type RelayConfig,
  readConfigFile,
  readNetworkFile,
  relayOptionsOf,
} from './config.js'
import { RelayError } from './errors.js'

export const USAGE = `wisp-relay — Wisp bootstrap relay

Usage: wisp-relay [--config relay.json] [flags]

  --config <file>          JSON config (relay options, metricsPort, chain, operators, definitions); flags win
  --listen <multiaddr>     WebSocket listen address, repeatable (default /ip4/0.0.0.0/tcp/9090/ws)
  --port <n>               shorthand for --listen /ip4/0.0.0.0/tcp/<n>/ws
  --announce <multiaddr>   public address to advertise, repeatable (e.g. /dns4/relay.example/tcp/443/wss)
  --seed <0x…32 bytes>     Ed25519 seed of the peer id (or WISP_RELAY_SEED); else kept in --data-dir
  --data-dir <dir>         persisted peer store and generated seed
  --metrics-port <n>       serve GET /metrics on this port (0 picks one)
  --metrics-host <host>    default 127.0.0.1
  --namespace <ns>         gossip topic namespace (default othentic)
  --peer <multiaddr>       another relay of this network (…/p2p/<id>) to federate with, repeatable;
                           relays they know are found through their announcements
  --bootstrap <multiaddr>  same as --peer (kept for older configs)
  --max-connections <n>    inbound connections at most; beyond it new ones are refused (default 1024)
  --max-reservations <n>   circuit reservations for browsers (default 256)
  --network <file>         chain mode from the network file \`wisp deploy\` wrote (RPCs,
                           AttestationCenter, chain id, backend; its relays are federated
                           with); --rpc etc. then not given
  --rpc <url>              chain mode: read operators, task definitions and announced
                           outcomes from this RPC (what a public network's relay runs)
  --attestation-center <address>
                           the AttestationCenter of chain mode
  --chain-id <n>           the chain id the RPC must report (checked at start)
  --auth                   challenge peers for operator auth (needs chain mode or operators)
  --json                   print the start-up line as JSON
  --help
`

const FLAGS = {
  config: { type: 'string' },
  listen: { type: 'string', multiple: true },
  port: { type: 'string' },
  announce: { type: 'string', multiple: true },
  seed: { type: 'string' },
  'data-dir': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
  namespace: { type: 'string' },
  bootstrap: { type: 'string', multiple: true },
  peer: { type: 'string', multiple: true },
  'max-connections': { type: 'string' },
  'max-reservations': { type: 'string' },
  network: { type: 'string' },
  rpc: { type: 'string' },
  'attestation-center': { type: 'string' },
  'chain-id': { type: 'string' },
  auth: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const

function integer(value: string, flag: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new RelayError('RELAY_INVALID_ARGS', `--${flag} must be an integer in [${min}, ${max}]`)
  }
  return n
}

function multiaddrs(values: string[], flag: string, needsPeerId: boolean): string[] {
  return values.map((value) => checkMultiaddr(value, flag, needsPeerId, 'RELAY_INVALID_ARGS'))
}

/** Flags (and the config file they name) → a config. `env` is the process environment. */
export function parseRelayArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): RelayConfig | 'help' {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: false }>>
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: false, strict: true })
  } catch (cause) {
    throw new RelayError('RELAY_INVALID_ARGS', (cause as Error).message, { cause })
  }
  const v = parsed.values
  if (v.help === true) return 'help'

  const file: ConfigFile = v.config !== undefined ? readConfigFile(v.config) : {}
  const relay = relayOptionsOf(file)
  if (v.port !== undefined) relay.listen = [`/ip4/0.0.0.0/tcp/${integer(v.port, 'port', 0, 65535)}/ws`]
  if (v.listen !== undefined) relay.listen = multiaddrs(v.listen, '--listen', false)
  if (v.announce !== undefined) relay.announce = multiaddrs(v.announce, '--announce', false)
  const seed = v.seed ?? env.WISP_RELAY_SEED
  if (seed !== undefined) relay.seed = seed
  if (v['data-dir'] !== undefined) relay.dataDir = v['data-dir']
  if (v.namespace !== undefined) relay.topicNamespace = v.namespace
  if (v.bootstrap !== undefined) relay.bootstrap = multiaddrs(v.bootstrap, '--bootstrap', true)
  if (v.peer !== undefined) relay.peers = multiaddrs(v.peer, '--peer', true)
  if (v['max-connections'] !== undefined) {
    relay.maxConnections = integer(v['max-connections'], 'max-connections', 1, 1_000_000)
  }
  if (v['max-reservations'] !== undefined) {
    relay.maxReservations = integer(v['max-reservations'], 'max-reservations', 0, 1_000_000)
  }
  if (v.auth === true) relay.auth = { ...relay.auth, enabled: true }

  const metricsPort =
    v['metrics-port'] !== undefined ? integer(v['metrics-port'], 'metrics-port', 0, 65535) : file.metricsPort
  const operators = file.operators !== undefined ? operatorsOf(file.operators) : undefined
  const chainFlags =
    v.rpc !== undefined || v['attestation-center'] !== undefined || v['chain-id'] !== undefined
  if (v.network !== undefined && (chainFlags || file.chain !== undefined))
    throw new RelayError(
      'RELAY_INVALID_CONFIG',
      '--network names the chain: drop --rpc / --attestation-center / --chain-id and the file\'s "chain"',
    )
  const networkFile = v.network !== undefined ? readNetworkFile(v.network) : undefined
  // the network's other relays: federation skips our own entry
  if (networkFile !== undefined && networkFile.relays.length > 0) {
    relay.peers = [...new Set([...(relay.peers ?? []), ...networkFile.relays])]
  }
  const chain =
    networkFile !== undefined
      ? networkFile.chain
      : chainFlags || file.chain !== undefined
        ? chainOf({
            ...file.chain,
            ...(v.rpc !== undefined ? { rpcUrl: v.rpc } : {}),
            ...(v['attestation-center'] !== undefined ? { attestationCenter: v['attestation-center'] } : {}),
            ...(v['chain-id'] !== undefined
              ? { chainId: integer(v['chain-id'], 'chain-id', 1, 2 ** 53 - 1) }
              : {}),
          })
        : undefined
  if (chain !== undefined && operators !== undefined) {
    throw new RelayError(
      'RELAY_INVALID_CONFIG',
      'use either chain mode (--rpc, --attestation-center) or a static "operators" list, not both',
    )
  }
  if (chain !== undefined && file.definitions !== undefined) {
    throw new RelayError(
      'RELAY_INVALID_CONFIG',
      'chain mode reads the task definitions from the AttestationCenter: drop "definitions" from the config file',
    )
  }
  if (relay.auth?.enabled === true && operators === undefined && chain === undefined) {
    throw new RelayError(
      'RELAY_INVALID_CONFIG',
      '--auth needs chain mode (--rpc) or "operators" in the config file',
    )
  }
  return {
    relay,
    ...(chain !== undefined ? { chain } : {}),
    ...(metricsPort !== undefined
      ? { metrics: { port: metricsPort, host: v['metrics-host'] ?? file.metricsHost ?? '127.0.0.1' } }
      : {}),
    ...(operators !== undefined ? { operators } : {}),
    ...(file.definitions !== undefined ? { definitions: file.definitions } : {}),
    json: v.json === true,
  }
}
