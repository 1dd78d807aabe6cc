// `wisp keystore` run in-process through run(argv, io) with fake streams (a pipe, or a fake
// terminal that hides typed passphrases), and once through the real bin/wisp.mjs for the exit code
// and the one-line error. Real scrypt and AES-GCM (about a second per encryption or decryption).
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { SecretKey } from '@wisp/bls'
import { parseKeystore } from '@wisp/storage'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../src/commands/keystore.js'
import type { ToolIo } from '../src/tool-io.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wisp-keystore-'))
  await writeFile(join(dir, 'pass'), 'correct horse battery\n')
  await writeFile(join(dir, 'wrong'), 'not the passphrase\n')
})
afterAll(() => rm(dir, { recursive: true, force: true }))

interface Fake {
  io: ToolIo
  stdin: PassThrough & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  out: () => string
  err: () => string
  raw: boolean[]
}

/** Streams for run(): stdin a pipe (its text, then its end) or a fake terminal written to later. */
function fake(options: { env?: Record<string, string>; stdin?: string; tty?: boolean } = {}): Fake {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  stderr.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const raw: boolean[] = []
  const stdin = new PassThrough() as Fake['stdin']
  if (options.tty) {
    stdin.isTTY = true
    stdin.setRawMode = (on: boolean) => raw.push(on)
  } else stdin.end(options.stdin ?? '')
  return {
    io: { stdout, stderr, stdin, env: options.env ?? {}, cwd: dir },
    stdin,
    out: () => out,
    err: () => err,
    raw,
  }
}

async function fails(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (e) {
    return e as { code: string; message: string }
  }
  throw new Error('expected a coded error')
}

const PASS = { WISP_PASSPHRASE: 'correct horse battery' }
const blsOf = (key: Hex) => SecretKey.fromEcdsaPrivateKey(key).publicKey.toHex()

describe('wisp keystore', () => {
  it('create → show (with and without the passphrase) → export: the same key; never overwrites', async () => {
    const created = fake({ env: PASS })
    await run(['create', '--keystore', 'a.json'], created.io)
    const address = /address +(0x[0-9a-fA-F]{40})/.exec(created.out())![1]!
    const file = join(dir, 'a.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const keystore = parseKeystore(JSON.parse(await readFile(file, 'utf8')))
    expect(keystore).toMatchObject({ keyType: 'ecdsa-secp256k1', publicKey: address })

    // no passphrase at hand on a pipe: the address from the file, the BLS key said to need it
    const bare = fake()
    await run(['show', '--keystore', 'a.json'], bare.io)
    expect(bare.out()).toContain(`address        ${address}`)
    expect(bare.out()).toContain('BLS public key (needs the passphrase')

    const exported = fake({ env: PASS })
    await run(['export', '--keystore', 'a.json', '--yes'], exported.io)
    const key = exported.out().trim() as Hex
    expect(privateKeyToAccount(key).address).toBe(address)

    const shown = fake()
    await run(['show', '--keystore', 'a.json', '--passphrase-file', 'pass', '--json'], shown.io)
    expect(JSON.parse(shown.out())).toEqual({
      keystore: 'a.json',
      keyType: 'ecdsa-secp256k1',
      address,
      blsPublicKey: blsOf(key),
    })
    expect(created.out()).toContain(`BLS public key ${blsOf(key)}`)

    const again = await fails(run(['create', '--keystore', 'a.json'], fake({ env: PASS }).io))
    expect(again.code).toBe('NODE_BAD_FLAGS')
    expect(again.message).toMatch(/--keystore a\.json: the file exists; it is never overwritten/)
    expect(parseKeystore(JSON.parse(await readFile(file, 'utf8')))).toEqual(keystore)
  })

  it('import takes the key from --key-file, PRIVATE_KEY or a pipe, never from a flag', async () => {
    const keys = [generatePrivateKey(), generatePrivateKey(), generatePrivateKey()]
    await writeFile(join(dir, 'key.txt'), `${keys[0]}\n`)
    await run(['import', '--keystore', 'i0.json', '--key-file', 'key.txt'], fake({ env: PASS }).io)
    await run(
      ['import', '--keystore', 'i1.json'],
      fake({ env: { ...PASS, PRIVATE_KEY: keys[1]!.slice(2) } }).io,
    )
    await run(
      ['import', '--keystore', 'i2.json', '--passphrase-file', 'pass'],
      fake({ stdin: `${keys[2]}\n` }).io,
    )
    for (const [i, key] of keys.entries()) {
      const f = fake({ env: PASS })
      await run(['export', '--keystore', `i${i}.json`, '--yes'], f.io)
      expect(f.out()).toBe(`${key}\n`)
    }
    const flag = await fails(
      run(['import', '--keystore', 'x.json', '--private-key', keys[0]!], fake({ env: PASS }).io),
    )
    expect(flag.code).toBe('NODE_BAD_FLAGS')
    expect(flag.message).toMatch(
      /--private-key: keys never go on the command line .* use --key-file <file>, PRIVATE_KEY or stdin/,
    )
    const pass = await fails(run(['show', '--keystore', 'i0.json', '--passphrase=x'], fake().io))
    expect(pass.message).toMatch(/--passphrase: passphrases never go on the command line/)
    const notKey = await fails(
      run(['import', '--keystore', 'x.json'], fake({ env: { ...PASS, PRIVATE_KEY: '0x1234' } }).io),
    )
    expect(notKey).toMatchObject({
      code: 'NODE_BAD_KEY',
      message: 'PRIVATE_KEY: not a private key (32 bytes of hex)',
    })
    const nothing = await fails(run(['import', '--keystore', 'x.json'], fake({ env: PASS }).io))
    expect(nothing.code).toBe('NODE_BAD_KEY')
    expect(nothing.message).toMatch(/no key: give --key-file <file>, set PRIVATE_KEY, or pipe it on stdin/)
  })

  it('on a terminal the passphrase is typed without echo, twice for a new file', async () => {
    const key = generatePrivateKey()
    await writeFile(join(dir, 'tty-key.txt'), key)
    const t = fake({ tty: true })
    const done = run(['import', '--keystore', 't.json', '--key-file', 'tty-key.txt'], t.io)
    // each prompt reads its own keystrokes (backspace edits the line)
    await until(() => t.err().includes('passphrase for'))
    t.stdin.write('secret!x\u007f\r')
    await until(() => t.err().includes('the same passphrase again'))
    t.stdin.write('secret!\r')
    await done
    expect(t.out()).toContain(`address        ${privateKeyToAccount(key).address}`)
    expect(t.out() + t.err()).not.toContain('secret')
    expect(t.raw).toEqual([true, false, true, false])

    // import typed on the terminal: the key, then the passphrase twice, none of it echoed
    const typedKey = generatePrivateKey()
    const typed = fake({ tty: true })
    const importing = run(['import', '--keystore', 'typed.json'], typed.io)
    await until(() => typed.err().includes('private key (0x-hex, not shown)'))
    typed.stdin.write(`${typedKey}\r`)
    await until(() => typed.err().includes('passphrase for'))
    typed.stdin.write('typed pass\r')
    await until(() => typed.err().includes('again'))
    typed.stdin.write('typed pass\r')
    await importing
    expect(typed.out()).toContain(`address        ${privateKeyToAccount(typedKey).address}`)
    expect(typed.err()).not.toContain(typedKey.slice(2, 10))

    const mismatch = fake({ tty: true })
    const failing = fails(run(['create', '--keystore', 'm.json'], mismatch.io))
    await until(() => mismatch.err().includes('passphrase for'))
    mismatch.stdin.write('one\r')
    await until(() => mismatch.err().includes('again'))
    mismatch.stdin.write('two\r')
    expect(await failing).toMatchObject({
      code: 'NODE_BAD_KEY',
      message: 'the two passphrases for the new keystore m.json differ',
    })

    const exported = fake({ env: { WISP_PASSPHRASE: 'secret!' } })
    await run(['export', '--keystore', 't.json', '--yes'], exported.io)
    expect(exported.out()).toBe(`${key}\n`)
  })

  it('wrong passphrase, no passphrase on a pipe, "n" to export, missing or foreign files: coded, one line', async () => {
    await run(
      ['import', '--keystore', 'w.json'],
      fake({ env: { ...PASS, PRIVATE_KEY: generatePrivateKey() } }).io,
    )
    const wrong = await fails(
      run(['export', '--keystore', 'w.json', '--passphrase-file', 'wrong', '--yes'], fake().io),
    )
    expect(wrong).toMatchObject({
      code: 'KEYSTORE_DECRYPT_FAILED',
      message: '--keystore w.json: wrong passphrase (or the file was altered)',
    })
    const none = await fails(run(['export', '--keystore', 'w.json'], fake().io))
    expect(none.code).toBe('NODE_BAD_KEY')
    expect(none.message).toBe(
      'the keystore w.json needs a passphrase: give --passphrase-file <file> or set WISP_PASSPHRASE (stdin is not a terminal to ask on)',
    )
    const no = fake({ env: PASS, stdin: 'n\n' })
    const refused = await fails(run(['export', '--keystore', 'w.json'], no.io))
    expect(refused).toMatchObject({ code: 'NODE_ABORTED' })
    expect(no.out()).toBe('')
    expect(no.err()).toMatch(/print the private key of 0x[0-9a-fA-F]{40}\? .* \[y\/N\] $/)
    const missing = await fails(run(['show', '--keystore', 'nope.json'], fake().io))
    expect(missing).toMatchObject({ code: 'NODE_BAD_FLAGS', message: '--keystore nope.json: no such file' })
    await writeFile(join(dir, 'garbage.json'), '{"kind":')
    const garbage = await fails(run(['show', '--keystore', 'garbage.json'], fake().io))
    expect(garbage).toMatchObject({
      code: 'NODE_BAD_KEY',
      message: '--keystore garbage.json: not a wisp keystore (not JSON)',
    })
    const sub = await fails(run(['list'], fake().io))
    expect(sub.message).toMatch(/unknown subcommand "list"/)
    for (const e of [wrong, none, refused, missing, garbage, sub]) expect(e.message).not.toContain('\n')
  })

  it('through bin/wisp.mjs: a wrong passphrase exits 2 with one line on stderr', async () => {
    const bin = fileURLToPath(new URL('../bin/wisp.mjs', import.meta.url))
    const child = spawn(
      process.execPath,
      [bin, 'keystore', 'show', '--keystore', 'w.json', '--passphrase-file', 'wrong'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(stderr).toBe(
      'wisp: KEYSTORE_DECRYPT_FAILED: --keystore w.json: wrong passphrase (or the file was altered)\n',
    )
    expect(stdout).toBe('')
    expect(code).toBe(2)
  })
})

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a prompt')
    await new Promise((r) => setTimeout(r, 10))
  }
}
