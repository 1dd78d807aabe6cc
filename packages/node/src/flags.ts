// The `wisp` command line, parsed without side effects: which command, its flags (only the ones
// that command takes), or a request for help or the version. Every flag is declared once below,
// with the commands it applies to and its help line; the usage texts are generated from it.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { NodeError } from './errors.js'

export const NODE_COMMANDS = ['attester', 'aggregator', 'performer'] as const
export type NodeCommand = (typeof NODE_COMMANDS)[number]
export type Command = NodeCommand | 'relay'

interface FlagSpec {
  type: 'string' | 'boolean'
  multiple?: boolean
  /** the value's placeholder in help texts */
  arg?: string
  help: string
  /** shown as [default] in help texts */
  default?: string
  for: readonly Command[]
}

const ROLES = NODE_COMMANDS
const ALL: readonly Command[] = [...NODE_COMMANDS, 'relay']

export const FLAGS = {
  config: {
    type: 'string',
    arg: '<file>',
    help: 'the operator config (JSON, the same file web and edge attesters read); flags override it',
    for: ROLES,
  },
  network: {
    type: 'string',
    arg: '<file|url>',
    help: 'the network file `wisp deploy` wrote (chain, RPCs, contracts, relays, plugins); flags override it',
    for: ROLES,
  },
  'chain-rpc': {
    type: 'string',
    arg: '<url>',
    help: 'chain JSON-RPC, http(s):// (required without --config)',
    for: ROLES,
  },
  'attestation-center': {
    type: 'string',
    arg: '<0x…>',
    help: 'AttestationCenter address (required without --config)',
    for: ROLES,
  },
  'chain-id': {
    type: 'string',
    arg: '<n>',
    help: 'expected chain id (refuse another)   [asked from --chain-rpc]',
    for: ROLES,
  },
  'private-key': {
    type: 'string',
    arg: '<0x…>',
    help: 'operator ECDSA key (BLS key derived as Othentic does)',
    for: ROLES,
  },
  keystore: {
    type: 'string',
    arg: '<file>',
    help: 'or: an encrypted wisp keystore (wisp keystore create); passphrase as below',
    for: ROLES,
  },
  'passphrase-file': {
    type: 'string',
    arg: '<file>',
    help: "the keystore's passphrase (first line)   [else WISP_PASSPHRASE, else asked on a terminal]",
    for: ROLES,
  },
  'bls-private-key': {
    type: 'string',
    arg: '<0x…>',
    help: 'a BLS key of its own instead of the derived one',
    for: ROLES,
  },
  bootstrap: {
    type: 'string',
    multiple: true,
    arg: '<multiaddr>',
    help: 'relay to dial, ending in /p2p/<peer id> (repeatable)',
    for: ROLES,
  },
  'p2p.datadir': {
    type: 'string',
    arg: '<dir>',
    help: 'data directory (databases, slashing protection, peer store)',
    default: '.wisp/<command>',
    for: ALL,
  },
  'p2p.listen': {
    type: 'string',
    multiple: true,
    arg: '<multiaddr>',
    help: 'listen address (repeatable)',
    for: ALL,
  },
  peer: {
    type: 'string',
    multiple: true,
    arg: '<multiaddr>',
    help: 'another relay to federate with, ending in /p2p/<peer id> (repeatable; others are found by their announcements)',
    for: ['relay'],
  },
  'json-rpc': {
    type: 'string',
    arg: '<port>',
    help: 'serve JSON-RPC sendTask / sendCustomMessage on <host>:<port>',
    for: ROLES,
  },
  'json-rpc.max-body-bytes': {
    type: 'string',
    arg: '<n>',
    help: 'refuse larger JSON-RPC requests (HTTP 413)',
    default: '1048576',
    for: ROLES,
  },
  'json-rpc.max-in-flight': {
    type: 'string',
    arg: '<n>',
    help: 'JSON-RPC calls handled at once; more get -32005 (retry later)',
    default: '64',
    for: ROLES,
  },
  host: {
    type: 'string',
    arg: '<ip>',
    help: 'the address JSON-RPC and metrics listen on (0.0.0.0: reachable from other containers)',
    default: '127.0.0.1',
    for: ROLES,
  },
  metrics: {
    type: 'string',
    arg: '<port>',
    help: 'serve Prometheus /metrics on <host>:<port>',
    for: ROLES,
  },
  'metrics.export-url': {
    type: 'string',
    arg: '<url>',
    help: 'also push the metrics to this Prometheus Pushgateway',
    for: ROLES,
  },
  'announced-addresses': {
    type: 'string',
    multiple: true,
    arg: '<multiaddr>',
    help: 'address other peers should dial (behind NAT or in a container; repeatable or comma-separated)',
    for: ROLES,
  },
  'avs-webapi': {
    type: 'string',
    arg: '<url>',
    help: 'validate through this service (POST /task/validate) instead of plugins',
    for: ['attester'],
  },
  'avs-webapi-port': {
    type: 'string',
    arg: '<port>',
    help: "the validation service's port when the --avs-webapi URL names none (as Othentic)",
    default: '4002',
    for: ['attester'],
  },
  plugin: {
    type: 'string',
    multiple: true,
    arg: '<package>',
    help: 'load a plugin package or ./file (repeatable); config via --plugin-config',
    for: ROLES,
  },
  'plugin-config': {
    type: 'string',
    arg: '<json|@file>',
    help: 'config of the plugins, keyed by plugin id: {"<id>": {...}}',
    for: ROLES,
  },
  'task-definition': {
    type: 'string',
    multiple: true,
    arg: '<id>',
    help: 'task definition to perform (repeatable, required)',
    for: ['performer'],
  },
  interval: { type: 'string', arg: '<ms>', help: 'run every <ms>', default: '0: off', for: ['performer'] },
  'every-blocks': {
    type: 'string',
    arg: '<n>',
    help: 'run every <n> blocks',
    default: '0: off',
    for: ['performer'],
  },
  'signature-type': {
    type: 'string',
    arg: 'ecdsa|bls',
    help: 'how to sign tasks',
    default: 'ecdsa',
    for: ['performer'],
  },
  delay: {
    type: 'string',
    arg: '<ms>',
    help: 'wait after reaching the threshold, to include more votes',
    default: '0',
    for: ['aggregator'],
  },
  'aggregator.latency-ms': {
    type: 'string',
    arg: '<ms>',
    help: 'after the threshold, wait at most this long for the operators that vote regularly',
    default: '500',
    for: ['aggregator'],
  },
  'aggregator.latency-blocks': {
    type: 'string',
    arg: '<n>',
    help: 'the same bound counted in blocks (replaces --aggregator.latency-ms)',
    default: '0: off',
    for: ['aggregator'],
  },
  'internal-tasks': {
    type: 'boolean',
    help: 'run the voting-power sync and definition-total refresh tasks   [else INTERNAL_TASKS=true]',
    for: ['aggregator'],
  },
  'aggregator.simulate-transactions': {
    type: 'boolean',
    help: 'simulate submitTask before sending it (wisp always does; accepted for Othentic command lines)',
    for: ['aggregator'],
  },
  'log-level': {
    type: 'string',
    arg: 'debug|info|warn|error',
    help: 'log level',
    default: 'info',
    for: ALL,
  },
  help: { type: 'boolean', help: "this command's help", for: ALL },
} as const satisfies Record<string, FlagSpec>

/**
 * `wisp run <role> [bootstrap…]`, Othentic's grammar: these flags replace or join Wisp's own, with
 * Othentic's meanings and defaults (`--json-rpc` and `--metrics` are switches, their ports apart).
 * Every other flag of the role keeps its Wisp meaning. The values are then rewritten into Wisp's
 * flags (`othenticToWisp`), so both grammars reach one config.
 */
export const OTHENTIC_FLAGS = {
  'json-rpc': { type: 'boolean', help: 'serve JSON-RPC (sendTask) on --json-rpc.port', for: ROLES },
  'json-rpc.port': { type: 'string', arg: '<port>', help: 'JSON-RPC port', default: '8545', for: ROLES },
  'json-rpc.custom-message-enabled': {
    type: 'boolean',
    help: 'answer sendCustomMessage too',
    for: ROLES,
  },
  metrics: { type: 'boolean', help: 'serve Prometheus /metrics on --metrics.port', for: ROLES },
  'metrics.port': { type: 'string', arg: '<port>', help: 'metrics port', default: '6060', for: ROLES },
  'p2p.port': {
    type: 'string',
    arg: '<port>',
    help: 'libp2p TCP port (listens on /ip4/0.0.0.0/tcp/<port>)',
    default: '9876',
    for: ROLES,
  },
  host: {
    type: 'string',
    arg: '<ip>',
    help: 'the address JSON-RPC and metrics listen on (127.0.0.1: this machine only)',
    default: '0.0.0.0',
    for: ROLES,
  },
  'p2p.discovery-interval': {
    type: 'string',
    arg: '<ms>',
    help: "accepted for Othentic command lines; peers are found through the bootstrap's gossip",
    for: ROLES,
  },
} as const satisfies Record<string, FlagSpec>

export type FlagName = keyof typeof FLAGS | keyof typeof OTHENTIC_FLAGS
/** Parsed flag values: strings, string lists (repeatable flags) or booleans. */
export type FlagValues = Partial<Record<FlagName, string | string[] | boolean>>
export type Grammar = 'wisp' | 'othentic'

/** The defaults `wisp run` takes from Othentic's node. */
export const OTHENTIC_DEFAULTS = Object.freeze({
  jsonRpcPort: '8545',
  metricsPort: '6060',
  p2pPort: '9876',
  /** services in other containers reach JSON-RPC and metrics */
  host: '0.0.0.0',
})

const SUMMARY: Record<Command | 'devnet' | 'run' | ToolCommand, string> = {
  run: "attester | aggregator | performer [bootstrap…] with Othentic's flags (a drop-in for its node)",
  devnet: 'the whole local network: anvil, contracts, relay, performer, aggregator, attesters',
  deploy: "deploy Wisp's contracts to an EVM chain and write the network file",
  keystore: 'create | import | export | show an encrypted operator key',
  operator: 'register | deregister | status | update-bls-key | rewards',
  'peer-id': "a node's libp2p peer id, without starting it (OTHENTIC_BOOTSTRAP_SEED or its data dir)",
  attester: 'run an attester     (validates tasks, BLS-signs votes)',
  aggregator: 'run an aggregator   (collects votes, submits to the AttestationCenter)',
  performer: 'run a performer     (executes tasks when elected)',
  relay: 'run a bootstrap relay',
}

/** The version of @wisp/node (this file is one level below package.json, in src/ and in dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return pkg.version
}

export const USAGE = `wisp — a light operator for Othentic-style AVS networks

usage: wisp <command> [flags]
       wisp <command> --help      that command's flags
       wisp --version

commands:
${Object.entries(SUMMARY)
  .map(([name, summary]) => `  ${name.padEnd(12)} ${summary}`)
  .join('\n')}

Bad flags exit with code 2 and one line: wisp: <CODE>: <message>.
`

/** A command's flags in a grammar, each with its spec (Othentic's replacing Wisp's of one name). */
function flagsOf(command: Command, grammar: Grammar = 'wisp'): Array<[FlagName, FlagSpec]> {
  const table: Record<string, FlagSpec> =
    grammar === 'othentic' ? { ...FLAGS, ...OTHENTIC_FLAGS } : { ...FLAGS }
  return Object.entries(table).filter(([, spec]) =>
    (spec.for as readonly Command[]).includes(command),
  ) as Array<[FlagName, FlagSpec]>
}

/** The help text of one command: its summary and the flags it takes. */
export function commandUsage(command: Command, grammar: Grammar = 'wisp'): string {
  const rows = flagsOf(command, grammar).map(([name, spec]) => {
    const left = `--${name}${spec.arg ? ` ${spec.arg}` : ''}`
    const right = `${spec.help}${spec.default ? `   [${spec.default}]` : ''}`
    return `  ${left.padEnd(34)} ${right.replace('<command>', command)}`
  })
  const keys =
    command === 'relay'
      ? ''
      : '\nkeys: exactly one of --private-key and --keystore. Plugin config: --plugin-config \'{"@wisp/plugin-hash-chain":{"iterations":2000}}\'.\n'
  if (grammar === 'othentic')
    return `wisp run ${command} — ${SUMMARY[command].replace(/\s+\(/, ' (')}, with Othentic's command line

usage: wisp run ${command} [bootstrap-multiaddr…] [flags]

Othentic's flags and environment (PRIVATE_KEY, L2_RPC, L2_CHAIN, ATTESTATION_CENTER_ADDRESS, …) with
its defaults: JSON-RPC 8545, metrics 6060, p2p TCP 9876, servers on 0.0.0.0, validation service
port 4002. See docs/migrating-from-othentic.md.

flags:
${rows.join('\n')}
${keys}`
  return `wisp ${command} — ${SUMMARY[command].replace(/\s+\(/, ' (')}

usage: wisp ${command} [flags]

flags:
${rows.join('\n')}
${keys}`
}

export type CommandLine =
  | { kind: 'usage' }
  | { kind: 'version' }
  | { kind: 'help'; command: Command; grammar: Grammar }
  /** the devnet parses its own flags: its argv, untouched */
  | { kind: 'devnet'; argv: string[] }
  /** chain tools (deploy, keystore, operator) parse their own flags in ./commands/<name>.ts */
  | { kind: 'tool'; tool: ToolCommand; argv: string[] }
  /** `grammar: 'othentic'` (wisp run …): the values are already rewritten into Wisp's flags */
  | { kind: 'run'; command: Command; values: FlagValues; grammar: Grammar }

function bad(message: string): never {
  throw new NodeError('NODE_BAD_FLAGS', message)
}

const isCommand = (s: string): s is Command => (ALL as readonly string[]).includes(s)

/** Commands with subcommands of their own (`wisp operator register …`): each parses its own argv. */
export const TOOL_COMMANDS = ['deploy', 'keystore', 'operator', 'peer-id'] as const
export type ToolCommand = (typeof TOOL_COMMANDS)[number]
const isTool = (s: string): s is ToolCommand => (TOOL_COMMANDS as readonly string[]).includes(s)

/** The parser's own errors, reworded to name the flag and the command. */
function reword(err: Error & { code?: string }, command: Command, grammar: Grammar): never {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1]
  const name = flag?.replace(/^-+/, '')
  const spec = new Map(flagsOf(command, grammar)).get(name as FlagName)
  const shown = grammar === 'othentic' ? `wisp run ${command}` : `wisp ${command}`
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const owners =
      name !== undefined && name in FLAGS ? (FLAGS[name as keyof typeof FLAGS].for as readonly Command[]) : []
    if (owners.length > 0)
      bad(`${flag} is not a flag of ${shown} (it is a flag of wisp ${owners.join(' | ')})`)
    bad(`unknown flag ${flag} for ${shown} (see ${shown} --help)`)
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    if (spec?.type === 'boolean') bad(`${flag} takes no value`)
    bad(`${flag} needs a value${spec?.arg ? ` (${spec.arg})` : ''}`)
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(err.message)?.[1]
    bad(
      `unexpected argument "${arg ?? '?'}" for wisp ${command} (flags only; bootstrap addresses go in --bootstrap, or use Othentic's form: wisp run ${command} <bootstrap-multiaddr>)`,
    )
  }
  bad(err.message)
}

function parseFlags(
  command: Command,
  args: string[],
  grammar: Grammar,
): { values: FlagValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}
  for (const [name, spec] of flagsOf(command, grammar)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) }
  }
  options.help = { type: 'boolean', short: 'h' }
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: grammar === 'othentic' })
    return { values: parsed.values as FlagValues, positionals: parsed.positionals }
  } catch (err) {
    reword(err as Error & { code?: string }, command, grammar)
  }
}

const PORT = /^\d{1,5}$/

/**
 * Othentic's values → Wisp's flags: the positional bootstrap addresses join --bootstrap, the
 * switches take their ports (given or Othentic's defaults), --p2p.port becomes a TCP listen
 * address, and the servers listen on 0.0.0.0 unless --host says otherwise.
 */
export function othenticToWisp(values: FlagValues, positionals: string[]): FlagValues {
  const out: FlagValues = { ...values }
  const port = (flag: 'json-rpc.port' | 'metrics.port' | 'p2p.port', fallback: string): string => {
    const v = (values[flag] as string | undefined) ?? fallback
    if (!PORT.test(v) || Number(v) > 65_535) bad(`--${flag} must be a port from 0 to 65535, got "${v}"`)
    return v
  }
  for (const [toggle, portFlag, fallback] of [
    ['json-rpc', 'json-rpc.port', OTHENTIC_DEFAULTS.jsonRpcPort],
    ['metrics', 'metrics.port', OTHENTIC_DEFAULTS.metricsPort],
  ] as const) {
    delete out[portFlag]
    if (values[toggle] === true) out[toggle] = port(portFlag, fallback)
    else {
      delete out[toggle]
      if (values[portFlag] !== undefined)
        bad(`--${portFlag} is given without --${toggle} (add --${toggle} to serve it)`)
    }
  }
  if (values['p2p.port'] !== undefined && values['p2p.listen'] !== undefined)
    bad('give --p2p.port or --p2p.listen, not both')
  delete out['p2p.port']
  if (values['p2p.listen'] === undefined)
    out['p2p.listen'] = [`/ip4/0.0.0.0/tcp/${port('p2p.port', OTHENTIC_DEFAULTS.p2pPort)}`]
  const interval = values['p2p.discovery-interval'] as string | undefined
  if (interval !== undefined && !/^\d+$/.test(interval))
    bad(`--p2p.discovery-interval must be milliseconds, got "${interval}"`)
  delete out['p2p.discovery-interval']
  const bootstrap = [...positionals, ...((values.bootstrap as string[] | undefined) ?? [])]
  if (bootstrap.length > 0) out.bootstrap = bootstrap
  out.host ??= OTHENTIC_DEFAULTS.host
  return out
}

/** argv (without node and the script) → what to do. Throws NODE_BAD_FLAGS; touches nothing. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h') return { kind: 'usage' }
  if (first === '--version' || first === '-v' || first === 'version') return { kind: 'version' }
  if (first === 'help') {
    const about = rest[0]
    if (about === undefined) return { kind: 'usage' }
    if (about === 'devnet') return { kind: 'devnet', argv: ['--help'] }
    if (isTool(about)) return { kind: 'tool', tool: about, argv: ['--help'] }
    if (about === 'run' && isNodeCommand(rest[1]))
      return { kind: 'help', command: rest[1], grammar: 'othentic' }
    if (isCommand(about)) return { kind: 'help', command: about, grammar: 'wisp' }
    bad(`unknown command "${about}" (try wisp --help)`)
  }
  if (first === 'devnet') return { kind: 'devnet', argv: rest }
  if (isTool(first)) return { kind: 'tool', tool: first, argv: rest }
  const grammar: Grammar = first === 'run' ? 'othentic' : 'wisp'
  const command = grammar === 'othentic' ? rest[0] : first
  const args = grammar === 'othentic' ? rest.slice(1) : rest
  if (grammar === 'othentic' && !isNodeCommand(command)) {
    if (command === undefined || command.startsWith('-'))
      bad('wisp run needs a role: wisp run attester|aggregator|performer [bootstrap…] [flags]')
    bad(
      `wisp run ${command}: unknown role (attester, aggregator or performer${command === 'relay' ? '; a relay is wisp relay' : ''})`,
    )
  }
  if (command === undefined || !isCommand(command)) {
    if (first.startsWith('-')) bad(`a command comes first: wisp <command> ${first} … (try wisp --help)`)
    bad(`unknown command "${first}" (try wisp --help)`)
  }
  // --help wins over everything else on the line, even flags that would not parse
  const end = args.indexOf('--')
  const flagsPart = end < 0 ? args : args.slice(0, end)
  if (flagsPart.includes('--help') || flagsPart.includes('-h')) return { kind: 'help', command, grammar }
  const { values, positionals } = parseFlags(command, args, grammar)
  return {
    kind: 'run',
    command,
    grammar,
    values: grammar === 'othentic' ? othenticToWisp(values, positionals) : values,
  }
}

const isNodeCommand = (s: string | undefined): s is NodeCommand =>
  s !== undefined && (NODE_COMMANDS as readonly string[]).includes(s)
