// `wisp operator register | deregister | status | update-bls-key | rewards`: an operator's life on
// a network described by its network file, from a wisp keystore. Every command that spends gas
// plans first (@wisp/chain's onboarding: the steps, their gas and cost, and the checks that would
// fail half-way), prints the plan and asks before sending unless --yes. For an Othentic network
// only the L2 parts exist here: registration is on L1 (AvsGovernance), so `register` and
// `deregister` say so instead of sending anything.
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SecretKey } from '@wisp/bls'
import {
  type ChainError,
  createChainTransport,
  executeOnboardingPlan,
  getOperatorPaymentDetail,
  getOperatorStanding,
  getStakeToken,
  getTaskEvents,
  isChainError,
  type OnboardingPlan,
  type OnboardingStep,
  type OperatorStanding,
  planBlsKeyUpdate,
  planOperatorDeregistration,
  planOperatorRegistration,
  type TaskOutcomeEvent,
} from '@wisp/chain'
import { loadNetworkFile, type NetworkFile } from '@wisp/operator'
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  fallback,
  formatEther,
  formatGwei,
  formatUnits,
  getAddress,
  type Hex,
  http,
  isAddress,
  type PublicClient,
  parseUnits,
  type Transport,
  webSocket,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../errors.js'
import type { ToolIo } from '../tool-io.js'
import { readKeystoreFile, refuseSecretFlags, unlockKeystore } from './keystore.js'
import { confirmOrAbort, PASSPHRASE_ENV } from './prompt.js'

export const OPERATOR_USAGE = `Usage: wisp operator <command> --network <file|url> --keystore <file> [options]

  register        stake (approve + deposit) and register with the keystore's BLS key and its proof
                  of possession (Wisp networks; Othentic registers on L1, AvsGovernance)
  deregister      unregister (the stake stays, locked for the registry's withdrawal delay)
  status          operator id, active, voting power and its share of the network, inclusion in
                  recent TaskSubmitted events (needs no passphrase)
  update-bls-key  put the keystore's BLS key (or --bls-key-file's) on chain, with a proof of possession
  rewards         the fee accrued for this operator, last paid task (needs no passphrase)

Options:
  --network <file|url>      the network file (wisp deploy writes it)
  --keystore <file>         the operator's wisp keystore (wisp keystore create | import)
  --address <0x…>           status | rewards: any address instead of a keystore's
  --passphrase-file <file>  the keystore's passphrase (first line); else ${PASSPHRASE_ENV}, else asked
  --stake <amount>          register: stake tokens to deposit first, in whole tokens (e.g. 10 or 2.5)
  --bls-key-file <file>     update-bls-key: a BLS secret key (0x-hex, first line) instead of the derived one
  --blocks <n>              status: how far back to look for TaskSubmitted events (default 1000)
  --yes                     send without asking
  --json                    status | rewards: one JSON object
  --rpc-timeout <ms>        per request and RPC URL (default 10000)
  -h, --help                this text

Every command that spends gas prints its transactions (target, gas, cost) and asks first.
Exit codes: 0 done (or nothing to do), 2 bad input (flags, files, keys, wrong passphrase), 1 anything else.
`

const SUBCOMMANDS = ['register', 'deregister', 'status', 'update-bls-key', 'rewards'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

interface Values {
  network?: string
  keystore?: string
  address?: string
  'passphrase-file'?: string
  stake?: string
  'bls-key-file'?: string
  blocks?: string
  yes?: boolean
  json?: boolean
  'rpc-timeout'?: string
  help?: boolean
}

function bad(message: string): NodeError {
  return new NodeError('NODE_BAD_FLAGS', `wisp operator: ${message}`)
}

function integerFlag(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw bad(`${flag} must be an integer ≥ ${min}, got "${value}"`)
  return n
}

// ---- the network -----------------------------------------------------------------------------------

interface Connection {
  network: NetworkFile
  location: string
  chain: Chain
  transport: Transport
  client: PublicClient
  /** receipts: anvil mines at once, a public chain every few seconds */
  pollingIntervalMs: number
}

async function connect(io: ToolIo, location: string, timeoutMs: number): Promise<Connection> {
  const isUrl = /^https?:\/\//i.test(location)
  let network: NetworkFile
  try {
    network = await loadNetworkFile(isUrl ? location : resolve(io.cwd, location))
  } catch (err) {
    const message = (err as Error).message
    throw new NodeError(
      'NODE_BAD_FLAGS',
      message.includes(location) ? `--network: ${message}` : `--network ${location}: ${message}`,
      { cause: err, details: { ...((err as { details?: Record<string, unknown> }).details ?? {}) } },
    )
  }
  const chain = defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: network.rpcUrls } },
  })
  // the file's RPC URLs in order: one that fails or rate-limits hands over to the next
  const transport = network.rpcUrls.some((u) => /^wss?:/i.test(u))
    ? fallback(
        network.rpcUrls.map((u) =>
          /^wss?:/i.test(u)
            ? webSocket(u, { retryCount: 0, timeout: timeoutMs })
            : http(u, { retryCount: 0, timeout: timeoutMs }),
        ),
        { retryCount: 1 },
      )
    : createChainTransport(network.rpcUrls, { retryCount: 1, timeoutMs })
  const pollingIntervalMs = network.kind === 'local' ? 100 : 1000
  const client = createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs })
  let chainId: number
  try {
    chainId = await client.getChainId()
  } catch (cause) {
    const reason = ((cause as { shortMessage?: string }).shortMessage ?? (cause as Error).message).split(
      '\n',
    )[0]
    throw new NodeError(
      'NODE_RPC_UNREACHABLE',
      `--network ${location}: no answer from its RPC (${network.rpcUrls.join(', ')}): ${reason}`,
      { cause },
    )
  }
  if (chainId !== network.chainId)
    throw new NodeError(
      'NODE_RPC_UNREACHABLE',
      `--network ${location}: its RPC is chain ${chainId}, the file says chainId ${network.chainId}`,
    )
  return { network, location, chain, transport, client: client as PublicClient, pollingIntervalMs }
}

/** The address to look at: --address, or the keystore's (kept in the clear: no passphrase). */
async function addressOf(io: ToolIo, values: Values): Promise<Address> {
  if (values.address !== undefined) {
    if (values.keystore !== undefined) throw bad('give --keystore or --address, not both')
    if (!isAddress(values.address, { strict: false }))
      throw bad(`--address ${values.address} is not an address`)
    return getAddress(values.address)
  }
  if (values.keystore === undefined) throw bad('--keystore <file> (or --address <0x…>) is required')
  const keystore = await readKeystoreFile(io, values.keystore)
  try {
    return getAddress(keystore.publicKey)
  } catch {
    throw new NodeError('NODE_BAD_KEY', `--keystore ${values.keystore}: its publicKey is not an address`)
  }
}

// ---- printing ----------------------------------------------------------------------------------------

const eth = (wei: bigint) => formatEther(wei).replace(/(\.\d{6})\d+$/, '$1')

function share(part: bigint, total: bigint): string {
  if (total === 0n) return '0%'
  const bp = (part * 10_000n) / total
  return `${bp / 100n}.${String(bp % 100n).padStart(2, '0')}%`
}

interface TokenInfo {
  symbol: string
  decimals: number
}

async function tokenInfo(client: PublicClient, token: Address): Promise<TokenInfo> {
  const c = { address: token, abi: erc20Abi } as const
  const [symbol, decimals] = await Promise.all([
    client.readContract({ ...c, functionName: 'symbol' }).catch(() => 'tokens'),
    client.readContract({ ...c, functionName: 'decimals' }).catch(() => 18),
  ])
  return { symbol: String(symbol), decimals: Number(decimals) }
}

function stepLabel(step: OnboardingStep, plan: OnboardingPlan, token: TokenInfo | undefined): string {
  const amount =
    plan.stake && token ? `${formatUnits(plan.stake.amount, token.decimals)} ${token.symbol}` : undefined
  switch (step.kind) {
    case 'approve':
      return amount ? `approve ${amount} for the registry` : step.description
    case 'deposit':
      return amount ? `deposit ${amount} as stake` : step.description
    case 'register':
      return plan.operatorId === undefined
        ? 'register (BLS key + proof of possession)'
        : `register again as operator ${plan.operatorId}`
    case 'unregister':
      return `unregister operator ${plan.operatorId}`
    case 'update-bls-key':
      return `update the BLS key of operator ${plan.operatorId}`
  }
}

function formatPlan(plan: OnboardingPlan, connection: Connection, token: TokenInfo | undefined): string {
  const n = connection.network
  const lines = [
    `${plan.action} on "${n.name}" (chain ${n.chainId}, ${n.backend}) · account ${plan.account} · balance ${eth(plan.balance)} ETH · fee ${formatGwei(plan.feePerGas)} gwei`,
  ]
  lines.push(`  #  ${'step'.padEnd(52)} ${'gas'.padStart(9)}  ${'max cost (ETH)'.padStart(14)}  target`)
  plan.steps.forEach((s, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}  ${stepLabel(s, plan, token).slice(0, 52).padEnd(52)} ${String(s.gas).padStart(9)}  ${eth(s.gas * plan.feePerGas).padStart(14)}  ${s.target} ${s.functionName}${s.gasSource === 'limit' ? ' (gas: fixed bound, estimated when sent)' : ''}`,
    )
  })
  lines.push(
    `total: ${plan.steps.length} transaction(s), ${plan.totalGas} gas, at most ${eth(plan.maxCost)} ETH`,
  )
  return `${lines.join('\n')}\n`
}

function txLink(network: NetworkFile, txHash: Hex): string {
  return network.explorerTxUrl ? `  ${network.explorerTxUrl.replace('{tx}', txHash)}` : ''
}

/** Prints the plan, asks (unless --yes), sends the steps and prints each as it lands. */
async function carryOut(
  io: ToolIo,
  connection: Connection,
  plan: OnboardingPlan,
  privateKey: Hex,
  yes: boolean | undefined,
  token?: TokenInfo,
) {
  if (plan.steps.length === 0) {
    io.stdout.write(`nothing to do: ${plan.nothingToDo ?? 'no transaction needed'}\n`)
    return undefined
  }
  io.stdout.write(formatPlan(plan, connection, token))
  await confirmOrAbort(
    io,
    `send ${plan.steps.length} transaction(s) from ${plan.account} on chain ${plan.chainId}?`,
    { yes },
  )
  const wallet = createWalletClient({
    account: privateKeyToAccount(privateKey),
    chain: connection.chain,
    transport: connection.transport,
    pollingInterval: connection.pollingIntervalMs,
  })
  return executeOnboardingPlan(wallet, plan, {
    pollingIntervalMs: connection.pollingIntervalMs,
    onStep: (step, state, info) => {
      if (state === 'sending')
        io.stdout.write(`sending ${info.index + 1}/${plan.steps.length}: ${stepLabel(step, plan, token)}\n`)
      else if (state === 'done' && info.result)
        io.stdout.write(
          `done    ${info.result.txHash} block ${info.result.blockNumber} gas ${info.result.gasUsed}${txLink(connection.network, info.result.txHash)}\n`,
        )
      else if (state === 'failed')
        io.stdout.write(`failed  ${stepLabel(step, plan, token)}: ${info.error?.code}\n`)
    },
  })
}

// ---- status ------------------------------------------------------------------------------------------

interface Inclusion {
  fromBlock: bigint
  toBlock: bigint
  submitted: number
  included: number
  lastIncluded: number | undefined
  /**
   * Submitted tasks whose event is the v1 shape (older Othentic deployments): it names no
   * attesters, so they are not counted either way (@wisp/chain exports no reader of the ids from
   * the submitTask calldata yet).
   */
  withoutAttesterIds: number
  /** why inclusion is unknown (an RPC that refuses the range) */
  unknown?: string
}

async function inclusion(
  client: PublicClient,
  network: NetworkFile,
  operatorId: number | undefined,
  blocks: number,
): Promise<Inclusion> {
  const toBlock = await client.getBlockNumber()
  const floor = BigInt(network.deploymentBlock)
  // from the deployment at the earliest (and never past the head: a file written before a reorg)
  const start = toBlock - BigInt(blocks) > floor ? toBlock - BigInt(blocks) : floor
  const fromBlock = start > toBlock ? toBlock : start
  let events: TaskOutcomeEvent[]
  try {
    events = await getTaskEvents(client, {
      attestationCenter: network.contracts.attestationCenter,
      fromBlock,
      toBlock,
    })
  } catch (err) {
    // a provider's log-range limit is not the operator's problem: say so, show the rest
    return {
      fromBlock,
      toBlock,
      submitted: 0,
      included: 0,
      lastIncluded: undefined,
      withoutAttesterIds: 0,
      unknown: (err as Error).message.split('\n')[0],
    }
  }
  const submitted = events.filter((e) => e.isApproved)
  const mine = operatorId === undefined ? [] : submitted.filter((e) => e.attesterIds.includes(operatorId))
  return {
    fromBlock,
    toBlock,
    submitted: submitted.length,
    included: mine.length,
    lastIncluded: mine.at(-1)?.taskNumber,
    withoutAttesterIds: submitted.filter((e) => e.version === 1).length,
  }
}

/** Whether the registered key is the keystore's: only when the passphrase is at hand without asking. */
async function keyCheck(io: ToolIo, values: Values, standing: OperatorStanding): Promise<string | undefined> {
  if (standing.blsPublicKey === undefined || values.keystore === undefined) return undefined
  if (values['passphrase-file'] === undefined && !io.env[PASSPHRASE_ENV]) return undefined
  const { privateKey } = await unlockKeystore(io, keystoreOptions(values))
  const mine = SecretKey.fromEcdsaPrivateKey(privateKey).publicKey.toEvm()
  return mine.every((w, i) => w === standing.blsPublicKey![i])
    ? "the keystore's"
    : "NOT the keystore's: its votes will not verify (wisp operator update-bls-key)"
}

function keystoreOptions(values: Values): { keystore: string; passphraseFile?: string } {
  if (values.keystore === undefined) throw bad('--keystore <file> is required')
  return {
    keystore: values.keystore,
    ...(values['passphrase-file'] === undefined ? {} : { passphraseFile: values['passphrase-file'] }),
  }
}

async function status(io: ToolIo, c: Connection, values: Values, account: Address): Promise<void> {
  const { network, client } = c
  const standing = await getOperatorStanding(client, {
    attestationCenter: network.contracts.attestationCenter,
    account,
    backend: network.backend,
  })
  const blocks = integerFlag(values.blocks, '--blocks', 1) ?? 1000
  const seen =
    standing.operatorId === undefined
      ? undefined
      : await inclusion(client, network, standing.operatorId, blocks)
  const key = await keyCheck(io, values, standing)
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({
        network: network.name,
        chainId: network.chainId,
        backend: network.backend,
        account,
        registered: standing.operatorId !== undefined,
        operatorId: standing.operatorId ?? null,
        active: standing.active,
        ejected: standing.ejected,
        votingPower: String(standing.votingPower),
        totalVotingPower: String(standing.totalVotingPower),
        share: share(standing.votingPower, standing.totalVotingPower),
        ...(seen
          ? {
              recentTasks: {
                fromBlock: String(seen.fromBlock),
                toBlock: String(seen.toBlock),
                submitted: seen.submitted,
                included: seen.included,
                lastIncludedTask: seen.lastIncluded ?? null,
                ...(seen.withoutAttesterIds > 0 ? { withoutAttesterIds: seen.withoutAttesterIds } : {}),
                ...(seen.unknown ? { unknown: seen.unknown } : {}),
              },
            }
          : {}),
      })}\n`,
    )
    return
  }
  const lines = [
    `network        "${network.name}" (chain ${network.chainId}, ${network.backend})`,
    `account        ${account}`,
  ]
  if (standing.operatorId === undefined) {
    lines.push(
      network.backend === 'othentic'
        ? 'operator       not registered: this address is not an operator of this AVS (Othentic registers on L1, AvsGovernance.registerAsOperator)'
        : 'operator       not registered: this address has never registered (wisp operator register --stake <amount>)',
    )
    io.stdout.write(`${lines.join('\n')}\n`)
    return
  }
  lines.push(
    `operator       ${standing.operatorId} · ${standing.ejected ? 'EJECTED (cannot register again)' : standing.active ? 'active' : 'inactive (wisp operator register to come back)'}`,
    `voting power   ${standing.votingPower} · ${share(standing.votingPower, standing.totalVotingPower)} of the network's ${standing.totalVotingPower}`,
  )
  if (standing.blsPublicKey) lines.push(`BLS key        ${key ?? 'registered'}`)
  if (seen) {
    lines.push(
      seen.unknown
        ? `recent tasks   unknown (${seen.unknown})`
        : `recent tasks   in ${seen.included} of ${seen.submitted} submitted task(s), blocks ${seen.fromBlock}–${seen.toBlock}${seen.lastIncluded === undefined ? '' : ` (last: task ${seen.lastIncluded})`}${seen.withoutAttesterIds === 0 ? '' : `; ${seen.withoutAttesterIds} of them v1 events, which name no attesters: not counted`}`,
    )
  }
  io.stdout.write(`${lines.join('\n')}\n`)
}

// ---- rewards -----------------------------------------------------------------------------------------

async function rewards(io: ToolIo, c: Connection, values: Values, account: Address): Promise<void> {
  const { network, client } = c
  const standing = await getOperatorStanding(client, {
    attestationCenter: network.contracts.attestationCenter,
    account,
    backend: network.backend,
  })
  if (standing.operatorId === undefined)
    throw new NodeError(
      'NODE_NOT_AN_OPERATOR',
      `${account} is not a registered operator of "${network.name}": it has no rewards`,
    )
  const detail = await getOperatorPaymentDetail(client, {
    attestationCenter: network.contracts.attestationCenter,
    operatorId: standing.operatorId,
  })
  const token = network.contracts.rewardToken
    ? await tokenInfo(client, network.contracts.rewardToken)
    : undefined
  const amount = (v: bigint) =>
    token ? `${formatUnits(v, token.decimals)} ${token.symbol}` : `${v} (smallest unit)`
  // Wisp's contracts pay out with requestBatchPayment (governance or PAYMENT_REQUESTS); Othentic's
  // L2 requests payments that its L1 treasury makes. There is no operator-side claim on either.
  const payout =
    network.backend === 'othentic'
      ? "paid on L1 by the AVS's treasury after a batch payment request; no claim transaction on L2"
      : 'paid from the AVS treasury when the AVS runs requestBatchPayment; there is no claim transaction'
  if (values.json) {
    io.stdout.write(
      `${JSON.stringify({
        account,
        operatorId: standing.operatorId,
        feeToClaim: String(detail.feeToClaim),
        lastPaidTaskNumber: Number(detail.lastPaidTaskNumber),
        paymentStatus: detail.paymentStatus,
        ...(token
          ? { rewardToken: network.contracts.rewardToken, symbol: token.symbol, decimals: token.decimals }
          : {}),
        payout,
      })}\n`,
    )
    return
  }
  io.stdout.write(
    `${[
      `operator       ${standing.operatorId} (${account})`,
      `accrued        ${amount(detail.feeToClaim)}${detail.feeToClaim === 0n ? '' : ' (not paid yet)'}`,
      `last paid      ${detail.lastPaidTaskNumber === 0n ? 'never' : `at task ${detail.lastPaidTaskNumber}`}`,
      `payout         ${payout}`,
    ].join('\n')}\n`,
  )
}

// ---- the command -------------------------------------------------------------------------------------

/** Othentic registers operators on L1: nothing here can do it. */
function othenticL1Only(action: 'register' | 'deregister', network: NetworkFile): NodeError {
  return new NodeError(
    'NODE_UNSUPPORTED_BACKEND',
    `${action}: "${network.name}" is an Othentic network, whose operators ${action === 'register' ? 'register' : 'unregister'} on L1 at AvsGovernance.${action === 'register' ? 'registerAsOperator (BLS key, rewards receiver, proof of possession bound to AvsGovernance and the L1 chain id; stake from EigenLayer or Symbiotic)' : 'unregisterAsOperator'} and reach the L2 AttestationCenter by a cross-chain message; use the AVS's L1 tooling, then wisp operator status`,
    { details: { backend: 'othentic' } },
  )
}

async function blsKeyFromFile(io: ToolIo, file: string): Promise<SecretKey> {
  let text: string
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw bad(`--bls-key-file ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`)
  }
  const line = (text.split(/\r?\n/)[0] ?? '').trim()
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(line))
    throw new NodeError('NODE_BAD_KEY', `--bls-key-file ${file}: not a BLS secret key (32 bytes of hex)`)
  try {
    return SecretKey.fromBytes((line.startsWith('0x') ? line : `0x${line}`) as Hex)
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_KEY',
      `--bls-key-file ${file}: not a valid BLS secret key (${(cause as Error).message})`,
    )
  }
}

export async function run(argv: string[], io: ToolIo): Promise<void> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(OPERATOR_USAGE)
    return
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw bad(`unknown subcommand "${sub}" (${SUBCOMMANDS.join(' | ')}; see wisp operator --help)`)
  const command = sub as Subcommand
  refuseSecretFlags(rest, command)
  let values: Values
  try {
    ;({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        network: { type: 'string' },
        keystore: { type: 'string' },
        address: { type: 'string' },
        'passphrase-file': { type: 'string' },
        stake: { type: 'string' },
        'bls-key-file': { type: 'string' },
        blocks: { type: 'string' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
        'rpc-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }) as { values: Values })
  } catch (cause) {
    throw bad(`${command}: ${(cause as Error).message.split('\n')[0]}`)
  }
  if (values.help) {
    io.stdout.write(OPERATOR_USAGE)
    return
  }
  const only = (flag: keyof Values, allowed: readonly Subcommand[]) => {
    if (values[flag] !== undefined && !allowed.includes(command))
      throw bad(`--${flag} is not a flag of wisp operator ${command}`)
  }
  only('address', ['status', 'rewards'])
  only('stake', ['register'])
  only('bls-key-file', ['update-bls-key'])
  only('blocks', ['status'])
  only('json', ['status', 'rewards'])
  only('yes', ['register', 'deregister', 'update-bls-key'])
  if (values.network === undefined) throw bad(`${command}: --network <file|url> is required`)
  const timeoutMs = integerFlag(values['rpc-timeout'], '--rpc-timeout', 1) ?? 10_000
  // a --stake that does not parse is known before the network is asked anything
  if (values.stake !== undefined && !/^\d+(\.\d+)?$/.test(values.stake))
    throw bad(`--stake ${values.stake} is not an amount of tokens like 10 or 2.5`)

  if (command === 'status' || command === 'rewards') {
    const account = await addressOf(io, values)
    const connection = await connect(io, values.network, timeoutMs)
    return command === 'status'
      ? status(io, connection, values, account)
      : rewards(io, connection, values, account)
  }

  const keystore = keystoreOptions(values)
  // the file is read (and refused) before the network is; the passphrase only when needed
  await readKeystoreFile(io, keystore.keystore)
  const connection = await connect(io, values.network, timeoutMs)
  const { network, client } = connection
  if (network.backend === 'othentic' && (command === 'register' || command === 'deregister'))
    throw othenticL1Only(command, network)
  const blsFile =
    values['bls-key-file'] === undefined ? undefined : await blsKeyFromFile(io, values['bls-key-file'])
  const { privateKey, address } = await unlockKeystore(io, keystore)
  const center = { attestationCenter: network.contracts.attestationCenter, account: address }

  try {
    switch (command) {
      case 'register': {
        const tokenAddress = network.contracts.stakeToken ?? (await getStakeToken(client, center))
        const token = await tokenInfo(client, tokenAddress)
        let stake = 0n
        if (values.stake !== undefined) {
          // parseUnits would round a digit the token cannot hold: refuse it instead
          if ((values.stake.split('.')[1]?.length ?? 0) > token.decimals)
            throw bad(`--stake ${values.stake} has more decimals than ${token.symbol}'s ${token.decimals}`)
          stake = parseUnits(values.stake, token.decimals)
        }
        const plan = await planOperatorRegistration(client, {
          ...center,
          stake,
          stakingContract: tokenAddress,
          blsSecretKey: SecretKey.fromEcdsaPrivateKey(privateKey),
        })
        const result = await carryOut(io, connection, plan, privateKey, values.yes, token)
        if (result) io.stdout.write(`registered: operator ${result.operatorId} (${address})\n`)
        return
      }
      case 'deregister': {
        const plan = await planOperatorDeregistration(client, center)
        const result = await carryOut(io, connection, plan, privateKey, values.yes)
        if (result) io.stdout.write(`unregistered: operator ${plan.operatorId} (${address}) is inactive\n`)
        return
      }
      case 'update-bls-key': {
        const key = blsFile ?? SecretKey.fromEcdsaPrivateKey(privateKey)
        const plan = await planBlsKeyUpdate(client, {
          ...center,
          backend: network.backend,
          blsSecretKey: key,
        })
        const result = await carryOut(io, connection, plan, privateKey, values.yes)
        if (result)
          io.stdout.write(`updated: operator ${plan.operatorId} now has BLS key ${key.publicKey.toHex()}\n`)
        return
      }
    }
  } catch (err) {
    throw explain(err, command, address)
  }
}

/** A chain error says what to do about it where the code alone would not. */
function explain(err: unknown, command: Subcommand, address: Address): unknown {
  if (!isChainError(err)) return err
  const e = err as ChainError
  if (e.code === 'OperatorNotRegistered')
    return new NodeError(
      'NODE_NOT_AN_OPERATOR',
      `${command}: ${address} is not a registered operator (wisp operator register first)`,
      {
        cause: err,
      },
    )
  return err
}
