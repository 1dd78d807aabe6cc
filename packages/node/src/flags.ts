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
  'json-rpc': {
    type: 'string',
    arg: '<port>',
    help: 'serve JSON-RPC sendTask / sendCustomMessage on <host>:<port>',
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
    help: 'serve Prometheus /metrics on 127.0.0.1:<port>',
    for: ROLES,
  },
  'avs-webapi': {
    type: 'string',
    arg: '<url>',
    help: 'validate through this service (POST /task/validate) instead of plugins',
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
  'log-level': {
    type: 'string',
    arg: 'debug|info|warn|error',
    help: 'log level',
    default: 'info',
    for: ALL,
  },
  help: { type: 'boolean', help: "this command's help", for: ALL },
} as const satisfies Record<string, FlagSpec>

export type FlagName = keyof typeof FLAGS
/** Parsed flag values: strings, string lists (repeatable flags) or booleans. */
export type FlagValues = Partial<Record<FlagName, string | string[] | boolean>>

const SUMMARY: Record<Command | 'devnet' | ToolCommand, string> = {
  devnet: 'the whole local network: anvil, contracts, relay, performer, aggregator, attesters',
  deploy: "deploy Wisp's contracts to an EVM chain and write the network file",
  keystore: 'create | import | export | show an encrypted operator key',
  operator: 'register | deregister | status | update-bls-key | rewards',
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

function flagsOf(command: Command): FlagName[] {
  return (Object.keys(FLAGS) as FlagName[]).filter((name) =>
    (FLAGS[name].for as readonly Command[]).includes(command),
  )
}

/** The help text of one command: its summary and the flags it takes. */
export function commandUsage(command: Command): string {
  const rows = flagsOf(command).map((name) => {
    const spec: FlagSpec = FLAGS[name]
    const left = `--${name}${spec.arg ? ` ${spec.arg}` : ''}`
    const right = `${spec.help}${spec.default ? `   [${spec.default}]` : ''}`
    return `  ${left.padEnd(34)} ${right.replace('<command>', command)}`
  })
  const keys =
    command === 'relay'
      ? ''
      : '\nkeys: exactly one of --private-key and --keystore. Plugin config: --plugin-config \'{"@wisp/plugin-hash-chain":{"iterations":2000}}\'.\n'
  return `wisp ${command} — ${SUMMARY[command].replace(/\s+\(/, ' (')}

usage: wisp ${command} [flags]

flags:
${rows.join('\n')}
${keys}`
}

export type CommandLine =
  | { kind: 'usage' }
  | { kind: 'version' }
  | { kind: 'help'; command: Command }
  /** the devnet parses its own flags: its argv, untouched */
  | { kind: 'devnet'; argv: string[] }
  /** chain tools (deploy, keystore, operator) parse their own flags in ./commands/<name>.ts */
  | { kind: 'tool'; tool: ToolCommand; argv: string[] }
  | { kind: 'run'; command: Command; values: FlagValues }

function bad(message: string): never {
  throw new NodeError('NODE_BAD_FLAGS', message)
}

const isCommand = (s: string): s is Command => (ALL as readonly string[]).includes(s)

/** Commands with subcommands of their own (`wisp operator register …`): each parses its own argv. */
export const TOOL_COMMANDS = ['deploy', 'keystore', 'operator'] as const
export type ToolCommand = (typeof TOOL_COMMANDS)[number]
const isTool = (s: string): s is ToolCommand => (TOOL_COMMANDS as readonly string[]).includes(s)

/** The parser's own errors, reworded to name the flag and the command. */
function reword(err: Error & { code?: string }, command: Command): never {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1]
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const name = flag.replace(/^-+/, '') as FlagName
    const owners = name in FLAGS ? (FLAGS[name].for as readonly Command[]) : []
    if (owners.length > 0)
      bad(`${flag} is not a flag of wisp ${command} (it is a flag of wisp ${owners.join(' | ')})`)
    bad(`unknown flag ${flag} for wisp ${command} (see wisp ${command} --help)`)
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    const spec = FLAGS[flag.replace(/^-+/, '') as FlagName] as FlagSpec | undefined
    if (spec?.type === 'boolean') bad(`${flag} takes no value`)
    bad(`${flag} needs a value${spec?.arg ? ` (${spec.arg})` : ''}`)
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const arg = /'([^']*)'/.exec(err.message)?.[1]
    bad(`unexpected argument "${arg ?? '?'}" for wisp ${command} (flags only; see wisp ${command} --help)`)
  }
  bad(err.message)
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
    if (isCommand(about)) return { kind: 'help', command: about }
    bad(`unknown command "${about}" (try wisp --help)`)
  }
  if (first === 'devnet') return { kind: 'devnet', argv: rest }
  if (isTool(first)) return { kind: 'tool', tool: first, argv: rest }
  if (!isCommand(first)) {
    if (first.startsWith('-')) bad(`a command comes first: wisp <command> ${first} … (try wisp --help)`)
    bad(`unknown command "${first}" (try wisp --help)`)
  }
  // --help wins over everything else on the line, even flags that would not parse
  const end = rest.indexOf('--')
  const flagsPart = end < 0 ? rest : rest.slice(0, end)
  if (flagsPart.includes('--help') || flagsPart.includes('-h')) return { kind: 'help', command: first }
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}
  for (const name of flagsOf(first)) {
    const spec: FlagSpec = FLAGS[name]
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) }
  }
  options.help = { type: 'boolean', short: 'h' }
  let values: FlagValues
  try {
    values = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false })
      .values as FlagValues
  } catch (err) {
    reword(err as Error & { code?: string }, first)
  }
  return { kind: 'run', command: first, values }
}
