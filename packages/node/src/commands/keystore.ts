// `wisp keystore create | import | export | show`: the operator's ECDSA key in an encrypted wisp
// keystore (@wisp/storage: scrypt + AES-256-GCM), the file every other command takes with
// --keystore. Its BLS key is derived from the ECDSA key as Othentic's services derive it. Keys and
// passphrases never come from a flag value (the command line shows in `ps` and the shell history):
// a key from --key-file, PRIVATE_KEY or stdin, a passphrase from --passphrase-file,
// WISP_PASSPHRASE or the terminal.
import { randomBytes } from 'node:crypto'
import { link, open, readFile, unlink } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SecretKey } from '@wisp/bls'
import { decryptKey, encryptKey, type KeystoreFile, parseKeystore, StorageError } from '@wisp/storage'
import { bytesToHex, getAddress, type Hex, hexToBytes, isAddressEqual } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { NodeError } from '../errors.js'
import type { ToolIo } from '../tool-io.js'
import { confirmOrAbort, readAllStdin, readHiddenLine, readPassphrase } from './prompt.js'

export const KEYSTORE_USAGE = `Usage: wisp keystore <create|import|export|show> --keystore <file> [options]

The operator's ECDSA key, encrypted (scrypt + AES-256-GCM) in a wisp keystore file: what
wisp deploy | operator | attester | aggregator | performer take with --keystore. The BLS key is
derived from it as Othentic's services derive it.

  create   generate a new key and write it encrypted to --keystore (never overwrites a file)
  import   encrypt an existing key: from --key-file, else PRIVATE_KEY, else stdin (or typed, hidden)
  show     the address (no passphrase needed) and, with the passphrase, the BLS public key
  export   print the private key, after asking (or --yes)

Options:
  --keystore <file>         the keystore file (written 0600 by create and import)
  --passphrase-file <file>  the passphrase (its first line); else WISP_PASSPHRASE, else asked on the terminal
  --key-file <file>         import: the private key (0x-hex, first line)
  --json                    show: one JSON object
  --yes                     export: do not ask before printing the key
  -h, --help                this text

Keys and passphrases are never flag values: the command line shows in \`ps\` and the shell history.
Exit codes: 0 done, 2 bad input (flags, files, wrong passphrase), 1 anything else.
`

const SUBCOMMANDS = ['create', 'import', 'export', 'show'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

function bad(message: string): NodeError {
  return new NodeError('NODE_BAD_FLAGS', `wisp keystore: ${message}`)
}

/** Flags that would put a secret on the command line get their own explanation. */
export function refuseSecretFlags(argv: readonly string[], command: string): void {
  for (const arg of argv) {
    const name = /^--?([^=]+)/.exec(arg)?.[1]
    if (name === undefined) continue
    if (/^(private-key|key|secret|bls-private-key)$/.test(name))
      throw bad(
        `--${name}: keys never go on the command line (they show in ps and the shell history); ${command === 'import' ? 'use --key-file <file>, PRIVATE_KEY or stdin' : 'use --keystore <file>'}`,
      )
    if (name === 'passphrase')
      throw bad(
        '--passphrase: passphrases never go on the command line; use --passphrase-file <file>, WISP_PASSPHRASE, or type it when asked',
      )
  }
}

// ---- key material ----------------------------------------------------------------------------------

/** A private key as 0x-hex (32 bytes, a valid secp256k1 scalar); `where` names its source. */
export function parsePrivateKey(text: string, where: string): Hex {
  const trimmed = text.trim()
  const hex = (
    trimmed.startsWith('0x') || trimmed.startsWith('0X') ? `0x${trimmed.slice(2)}` : `0x${trimmed}`
  ) as Hex
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
    throw new NodeError('NODE_BAD_KEY', `${where}: not a private key (32 bytes of hex)`)
  try {
    privateKeyToAccount(hex)
  } catch {
    throw new NodeError('NODE_BAD_KEY', `${where}: not a valid secp256k1 private key`)
  }
  return hex.toLowerCase() as Hex
}

/** The BLS public key an operator registers: derived from the ECDSA key as Othentic does. */
export function blsPublicKeyOf(privateKey: Hex): Hex {
  return SecretKey.fromEcdsaPrivateKey(privateKey).publicKey.toHex()
}

/** A keystore file from disk: NODE_BAD_FLAGS when missing, NODE_BAD_KEY when not a wisp ECDSA keystore. */
export async function readKeystoreFile(io: ToolIo, file: string): Promise<KeystoreFile> {
  let text: string
  try {
    text = await readFile(resolve(io.cwd, file), 'utf8')
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `--keystore ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (cause as Error).message})`}`,
      { cause },
    )
  }
  let keystore: KeystoreFile
  try {
    keystore = parseKeystore(JSON.parse(text))
  } catch (cause) {
    throw new NodeError(
      'NODE_BAD_KEY',
      `--keystore ${file}: not a wisp keystore (${cause instanceof SyntaxError ? 'not JSON' : (cause as Error).message})`,
      { cause },
    )
  }
  if (keystore.keyType !== 'ecdsa-secp256k1')
    throw new NodeError(
      'NODE_BAD_KEY',
      `--keystore ${file}: holds a ${keystore.keyType} key, not an operator's ECDSA key`,
    )
  return keystore
}

/** The address kept in the clear; a file whose public part is not an address says so. */
function addressOf(keystore: KeystoreFile, file: string) {
  try {
    return getAddress(keystore.publicKey)
  } catch {
    throw new NodeError('NODE_BAD_KEY', `--keystore ${file}: its publicKey is not an address`)
  }
}

/** Decrypts; a wrong passphrase is KEYSTORE_DECRYPT_FAILED naming the file. */
export async function decryptKeystore(
  keystore: KeystoreFile,
  passphrase: string,
  file: string,
): Promise<Hex> {
  let secret: Uint8Array
  try {
    secret = await decryptKey(keystore, passphrase)
  } catch (cause) {
    if (cause instanceof StorageError && cause.code === 'KEYSTORE_DECRYPT_FAILED')
      throw new StorageError(
        'KEYSTORE_DECRYPT_FAILED',
        `--keystore ${file}: wrong passphrase (or the file was altered)`,
        {
          cause,
        },
      )
    throw cause
  }
  const key = bytesToHex(secret)
  secret.fill(0)
  if (!isAddressEqual(privateKeyToAccount(key).address, addressOf(keystore, file)))
    throw new NodeError(
      'NODE_BAD_KEY',
      `--keystore ${file}: the key inside is not the address the file shows`,
    )
  return key
}

/** The key of `--keystore`: the file read, the passphrase asked or taken, decrypted. */
export async function unlockKeystore(
  io: ToolIo,
  options: { keystore: string; passphraseFile?: string },
): Promise<{ privateKey: Hex; address: Hex }> {
  const keystore = await readKeystoreFile(io, options.keystore)
  const passphrase = await readPassphrase(io, {
    purpose: `the keystore ${options.keystore}`,
    ...(options.passphraseFile === undefined ? {} : { passphraseFile: options.passphraseFile }),
  })
  const privateKey = await decryptKeystore(keystore, passphrase, options.keystore)
  return { privateKey, address: privateKeyToAccount(privateKey).address }
}

/**
 * Writes a new file 0600 without ever replacing one: the bytes go to a temporary file first, then
 * a hard link gives them the name (link fails if the name exists; a reader never sees half a file).
 */
async function writeNewFile(path: string, text: string, flag: string): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(tmp, path)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST')
      throw new NodeError(
        'NODE_BAD_FLAGS',
        `${flag} ${path}: the file exists; it is never overwritten (move it away first)`,
        {
          cause,
        },
      )
    throw new NodeError(
      'NODE_BAD_FLAGS',
      `${flag} ${path}: cannot write it (${(cause as NodeJS.ErrnoException).code})`,
      {
        cause,
      },
    )
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
}

async function refuseExisting(path: string, file: string): Promise<void> {
  try {
    await (await open(path, 'r')).close()
  } catch {
    return
  }
  throw bad(`--keystore ${file}: the file exists; it is never overwritten (move it away first)`)
}

async function writeKeystore(io: ToolIo, file: string, privateKey: Hex, passphrase: string): Promise<Hex> {
  const address = privateKeyToAccount(privateKey).address
  const secret = hexToBytes(privateKey)
  const keystore = await encryptKey({ secret, passphrase, keyType: 'ecdsa-secp256k1', publicKey: address })
  secret.fill(0)
  await writeNewFile(resolve(io.cwd, file), `${JSON.stringify(keystore, null, 2)}\n`, '--keystore')
  return address
}

// ---- the command -----------------------------------------------------------------------------------

export async function run(argv: string[], io: ToolIo): Promise<void> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(KEYSTORE_USAGE)
    return
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw bad(`unknown subcommand "${sub}" (create | import | export | show; see wisp keystore --help)`)
  const command = sub as Subcommand
  refuseSecretFlags(rest, command)
  let values: {
    keystore?: string
    'passphrase-file'?: string
    'key-file'?: string
    json?: boolean
    yes?: boolean
    help?: boolean
  }
  try {
    ;({ values } = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        keystore: { type: 'string' },
        'passphrase-file': { type: 'string' },
        'key-file': { type: 'string' },
        json: { type: 'boolean' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (cause) {
    throw bad(`${command}: ${(cause as Error).message.split('\n')[0]}`)
  }
  if (values.help) {
    io.stdout.write(KEYSTORE_USAGE)
    return
  }
  const only = (flag: string, allowed: readonly Subcommand[]) => {
    if (values[flag as keyof typeof values] !== undefined && !allowed.includes(command))
      throw bad(`--${flag} is not a flag of wisp keystore ${command}`)
  }
  only('key-file', ['import'])
  only('json', ['show'])
  only('yes', ['export'])
  const file = values.keystore
  if (file === undefined) throw bad(`${command}: --keystore <file> is required`)
  const passphraseFile = values['passphrase-file']
  const pass = passphraseFile === undefined ? {} : { passphraseFile }

  switch (command) {
    case 'create': {
      await refuseExisting(resolve(io.cwd, file), file)
      const passphrase = await readPassphrase(io, {
        purpose: `the new keystore ${file}`,
        confirm: true,
        ...pass,
      })
      const privateKey = generatePrivateKey()
      const address = await writeKeystore(io, file, privateKey, passphrase)
      io.stdout.write(
        `created ${file}\naddress        ${address}\nBLS public key ${blsPublicKeyOf(privateKey)}\nkeep a copy of the file and the passphrase: without both the key is lost\n`,
      )
      return
    }
    case 'import': {
      await refuseExisting(resolve(io.cwd, file), file)
      const privateKey = await importedKey(io, values['key-file'])
      const passphrase = await readPassphrase(io, {
        purpose: `the new keystore ${file}`,
        confirm: true,
        ...pass,
      })
      const address = await writeKeystore(io, file, privateKey, passphrase)
      io.stdout.write(
        `imported into ${file}\naddress        ${address}\nBLS public key ${blsPublicKeyOf(privateKey)}\n`,
      )
      return
    }
    case 'show': {
      const keystore = await readKeystoreFile(io, file)
      const address = addressOf(keystore, file)
      // the BLS key needs the secret; without a way to get the passphrase, show what the file says
      const canAsk =
        passphraseFile !== undefined || !!io.env.WISP_PASSPHRASE || (io.stdin.isTTY && !!io.stdin.setRawMode)
      const bls = canAsk
        ? blsPublicKeyOf(
            await decryptKeystore(
              keystore,
              await readPassphrase(io, { purpose: `the keystore ${file}`, ...pass }),
              file,
            ),
          )
        : undefined
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ keystore: file, keyType: keystore.keyType, address, ...(bls ? { blsPublicKey: bls } : {}) })}\n`,
        )
        return
      }
      io.stdout.write(
        `keystore       ${file}\nkey type       ${keystore.keyType}\naddress        ${address}\nBLS public key ${bls ?? '(needs the passphrase: --passphrase-file or WISP_PASSPHRASE)'}\n`,
      )
      return
    }
    case 'export': {
      const { privateKey, address } = await unlockKeystore(io, { keystore: file, ...pass })
      await confirmOrAbort(io, `print the private key of ${address}? Whoever sees it controls the operator`, {
        yes: values.yes,
        what: 'the key was not printed',
      })
      io.stdout.write(`${privateKey}\n`)
      return
    }
  }
}

/** import's key: --key-file, else PRIVATE_KEY, else stdin (typed hidden on a terminal, piped otherwise). */
async function importedKey(io: ToolIo, keyFile: string | undefined): Promise<Hex> {
  if (keyFile !== undefined) {
    if (io.env.PRIVATE_KEY) throw bad('import: give --key-file or PRIVATE_KEY, not both')
    let text: string
    try {
      text = await readFile(resolve(io.cwd, keyFile), 'utf8')
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      throw bad(`--key-file ${keyFile}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`}`)
    }
    return parsePrivateKey(text.split(/\r?\n/)[0] ?? '', `--key-file ${keyFile}`)
  }
  if (io.env.PRIVATE_KEY) return parsePrivateKey(io.env.PRIVATE_KEY, 'PRIVATE_KEY')
  if (io.stdin.isTTY && io.stdin.setRawMode)
    return parsePrivateKey(await readHiddenLine(io, 'private key (0x-hex, not shown): '), 'the typed key')
  const piped = await readAllStdin(io)
  if (piped.trim() === '')
    throw new NodeError(
      'NODE_BAD_KEY',
      'import: no key: give --key-file <file>, set PRIVATE_KEY, or pipe it on stdin',
    )
  return parsePrivateKey(piped.split(/\r?\n/).find((l) => l.trim() !== '') ?? '', 'stdin')
}
