// `wisp deploy`: Wisp's contracts on any EVM JSON-RPC from a deployment plan (@wisp/deploy), with
// a deployment record that a second run resumes, a dry run, confirmations, and the network file
// at the end. The deployer key comes from a keystore or PRIVATE_KEY — never from the command line
// (it would show in `ps` and the shell history).
import { readFile, rename, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { DeploymentPreview } from '@wisp/deploy'
import { decryptKey, parseKeystore } from '@wisp/storage'
import { bytesToHex, formatEther, formatGwei, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../errors.js'
import type { ToolIo } from '../tool-io.js'
import { confirmOrAbort, readPassphrase } from './prompt.js'

export const DEPLOY_USAGE = `Usage: wisp deploy --plan <plan.json> --rpc <url> [options]

Deploys Wisp's contracts (stake and reward tokens or existing ones, OperatorRegistry, AvsTreasury,
AttestationCenter), sets roles, staking and slashing, creates the plan's task definitions, and
writes the network file every runtime joins with (wisp attester --network network.json …).

Each step is written to the deployment record as it is signed and as it lands: run the same
command again after an interruption and it resumes where it stopped.

Options:
  --plan <file>             the deployment plan (JSON; see @wisp/deploy's README)
  --rpc <url>               JSON-RPC URL; repeat for fallbacks (used in order when one times out or rate-limits)
  --chain-id <n>            the chain id the RPC must report (default: the plan's chainId, if any)
  --keystore <file>         the deployer's wisp keystore (passphrase from WISP_PASSPHRASE or --passphrase-file)
  --passphrase-file <file>  the keystore's passphrase (first line)
                            without --keystore the key comes from the PRIVATE_KEY environment variable
  --out <file>              the network file to write (default: network.json)
  --record <file>           the deployment record (default: <out without .json>.record.json)
  --confirmations <n>       blocks to wait for each step (default: the plan's, else 1)
  --dry-run                 estimate every step, print gas and cost, send nothing
  --yes                     do not ask before sending
  --rpc-timeout <ms>        per request and URL (default 10000)
  --receipt-timeout <ms>    give up on a step without a receipt after this long (default 300000)
  -h, --help                this text

Exit codes: 0 done (or dry run), 2 bad input (flags, plan, key, record, chain id), 1 anything else.
`

function bad(message: string): NodeError {
  return new NodeError('NODE_BAD_FLAGS', `wisp deploy: ${message}`)
}

function integerFlag(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < min) throw bad(`${flag} must be an integer ≥ ${min}, got "${value}"`)
  return n
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `wisp deploy: cannot read ${what} ${path} (${(cause as Error).message})`,
      {
        cause,
      },
    )
  }
}

/** The deployer's key: a keystore (passphrase from a file or WISP_PASSPHRASE) or PRIVATE_KEY. */
async function deployerKey(
  values: { keystore?: string; 'passphrase-file'?: string },
  io: ToolIo,
): Promise<Hex> {
  if (values.keystore !== undefined) {
    if (io.env.PRIVATE_KEY) throw bad('give --keystore or PRIVATE_KEY, not both')
    const passphrase = await readPassphrase(io, {
      purpose: `the keystore ${values.keystore}`,
      ...(values['passphrase-file'] === undefined ? {} : { passphraseFile: values['passphrase-file'] }),
    })
    const path = resolve(io.cwd, values.keystore)
    let file: unknown
    try {
      file = JSON.parse(await readText(path, '--keystore'))
    } catch (cause) {
      if (cause instanceof NodeError) throw cause
      throw new NodeError('NODE_BAD_KEY', `--keystore ${values.keystore} is not JSON`, { cause })
    }
    const keystore = parseKeystore(file)
    if (keystore.keyType !== 'ecdsa-secp256k1')
      throw new NodeError(
        'NODE_BAD_KEY',
        `--keystore ${values.keystore} holds a ${keystore.keyType} key, not an ECDSA key`,
      )
    return bytesToHex(await decryptKey(keystore, passphrase))
  }
  if (values['passphrase-file'] !== undefined) throw bad('--passphrase-file needs --keystore')
  const key = io.env.PRIVATE_KEY
  if (!key) throw new NodeError('NODE_BAD_KEY', 'no deployer key: give --keystore <file> or set PRIVATE_KEY')
  const hex = key.startsWith('0x') ? key : `0x${key}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
    throw new NodeError('NODE_BAD_KEY', 'PRIVATE_KEY must be 32 bytes of hex')
  return hex as Hex
}

const eth = (wei: bigint) => formatEther(wei).replace(/(\.\d{6})\d+$/, '$1')

export function formatPreview(p: DeploymentPreview): string {
  const lines = [
    `chain ${p.chainId} · deployer ${p.deployer} · balance ${eth(p.balance)} ETH · fee ${formatGwei(p.feePerGas)} gwei · ${p.confirmations} confirmation(s)${p.resumed ? ' · resuming the record' : ''}`,
    `  #  ${'step'.padEnd(58)} ${'gas'.padStart(10)}  ${'max cost (ETH)'.padStart(14)}  note`,
  ]
  p.steps.forEach((s, i) => {
    const note =
      s.status === 'done'
        ? `done${s.address ? ` ${s.address}` : ''}`
        : s.status === 'sent'
          ? 'sent earlier, waiting for it'
          : `${s.gasSource === 'limit' ? 'fixed limit' : 'estimate'}${s.address ? ` → ${s.address}` : ''}`
    lines.push(
      `${String(i + 1).padStart(3)}  ${s.label.slice(0, 58).padEnd(58)} ${(s.status === 'pending' ? String(s.gas) : '').padStart(10)}  ${(s.status === 'pending' ? eth(s.cost) : '').padStart(14)}  ${note}`,
    )
  })
  const left = p.steps.filter((s) => s.status === 'pending').length
  lines.push(`total: ${left} step(s) to send, ${p.totalGas} gas, at most ${eth(p.totalCost)} ETH`)
  return `${lines.join('\n')}\n`
}

export async function run(argv: string[], io: ToolIo): Promise<void> {
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        plan: { type: 'string' },
        rpc: { type: 'string', multiple: true },
        'chain-id': { type: 'string' },
        keystore: { type: 'string' },
        'passphrase-file': { type: 'string' },
        out: { type: 'string' },
        record: { type: 'string' },
        confirmations: { type: 'string' },
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean' },
        'rpc-timeout': { type: 'string' },
        'receipt-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (cause) {
    throw bad((cause as Error).message.split('\n')[0]!)
  }
  if (values.help) {
    io.stdout.write(DEPLOY_USAGE)
    return
  }
  const str = (name: string) => values[name] as string | undefined
  if (str('plan') === undefined) throw bad('--plan <file> is required')
  const rpcUrls = (values.rpc as string[] | undefined) ?? []
  if (rpcUrls.length === 0) throw bad('--rpc <url> is required')
  for (const url of rpcUrls) {
    if (!/^https?:\/\/[^\s]+$/i.test(url)) throw bad(`--rpc ${url} is not an http(s) URL`)
  }
  const chainId = integerFlag(str('chain-id'), '--chain-id', 1)
  const confirmations = integerFlag(str('confirmations'), '--confirmations', 1)
  const rpcTimeout = integerFlag(str('rpc-timeout'), '--rpc-timeout', 1)
  const receiptTimeout = integerFlag(str('receipt-timeout'), '--receipt-timeout', 1)
  const out = resolve(io.cwd, str('out') ?? 'network.json')
  const recordPath = resolve(io.cwd, str('record') ?? `${out.replace(/\.json$/i, '')}.record.json`)

  // the heavy module only once the flags are good
  const { Deployment, networkFileOf, parseDeploymentPlanText } = await import('@wisp/deploy')
  const planPath = resolve(io.cwd, str('plan')!)
  const plan = parseDeploymentPlanText(await readText(planPath, '--plan'), str('plan'))
  const account = privateKeyToAccount(
    await deployerKey(values as { keystore?: string; 'passphrase-file'?: string }, io),
  )

  const deployment = await Deployment.open({
    plan,
    rpcUrls,
    account,
    recordPath,
    ...(chainId === undefined ? {} : { chainId }),
    ...(confirmations === undefined ? {} : { confirmations }),
    ...(receiptTimeout === undefined ? {} : { receiptTimeoutMs: receiptTimeout }),
    rpc: { ...(rpcTimeout === undefined ? {} : { timeoutMs: rpcTimeout }), pollingIntervalMs: 500 },
  })
  const preview = deployment.preview()
  io.stdout.write(formatPreview(preview))
  if (values['dry-run']) {
    io.stdout.write('dry run: nothing was sent\n')
    if (preview.balance < preview.totalCost)
      io.stdout.write(`warning: the deployer's balance is below the most it may cost\n`)
    return
  }
  deployment.checkFunds()
  const left = preview.steps.filter((s) => s.status !== 'done').length
  if (left > 0) {
    await confirmOrAbort(
      io,
      `send ${left} transaction(s) from ${account.address} on chain ${preview.chainId}?`,
      {
        yes: values.yes === true,
      },
    )
  }
  const link = (tx: string) =>
    plan.network.explorerTxUrl ? `  ${plan.network.explorerTxUrl.replace('{tx}', tx)}` : ''
  const result = await deployment.run((e) => {
    if (e.kind === 'sent') io.stdout.write(`sent  ${e.step}  ${e.txHash}${link(e.txHash)}\n`)
    else if (e.kind === 'resumed') io.stdout.write(`again ${e.step}  (signed by an earlier run)\n`)
    else io.stdout.write(`done  ${e.step}  block ${e.block}${e.address ? `  ${e.address}` : ''}\n`)
  })
  const network = networkFileOf(plan, result, { rpcUrls })
  const tmp = `${out}.${process.pid}.tmp`
  await writeFile(tmp, `${JSON.stringify(network, null, 2)}\n`)
  await rename(tmp, out)
  io.stdout.write(
    `deployed: AttestationCenter ${result.contracts.attestationCenter} on chain ${result.chainId}\nnetwork file: ${out}\nrecord: ${recordPath}\n`,
  )
}
