// `npx wisp` in a checkout: the bin runs the sources (nothing is built at install time), help per
// command, the version, and `wisp devnet` handing its flags to the devnet untouched.
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version
const run = (command: string, args: string[], cwd = root) =>
  spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } })
/** what `npx wisp` runs: node_modules/.bin/wisp → packages/node/bin/wisp.mjs */
const wispBin = join(root, 'node_modules', '.bin', 'wisp')
const wisp = (...args: string[]) => run(wispBin, args)

describe('npx wisp in a checkout', () => {
  it('npx wisp --version prints the package version from the repository root', () => {
    const r = run('npx', ['--no-install', 'wisp', '--version'])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(`${version}\n`)
    expect(r.status).toBe(0)
  })

  it('works from any directory (tsx is resolved from the bin, not from the cwd)', () => {
    const r = run(wispBin, ['--help'], tmpdir())
    expect(r.stdout).toContain('usage: wisp <command> [flags]')
    expect(r.status).toBe(0)
  })

  it('npx wisp devnet --help reaches the devnet (TypeScript only) from the repository root', () => {
    const r = run('npx', ['--no-install', 'wisp', 'devnet', '--help'])
    expect(r.stdout).toContain('wisp devnet — the whole local network')
    expect(r.stdout).toContain('--port-offset <n>')
    expect(r.status).toBe(0)
  })
})

describe('the bin picks sources in a checkout and dist/ when installed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wisp-bin-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  // a package with both src/cli.ts and dist/cli.js, each saying which one ran
  const lay = (pkg: string) => {
    mkdirSync(join(pkg, 'bin'), { recursive: true })
    mkdirSync(join(pkg, 'src'))
    mkdirSync(join(pkg, 'dist'))
    copyFileSync(fileURLToPath(new URL('../bin/wisp.mjs', import.meta.url)), join(pkg, 'bin', 'wisp.mjs'))
    writeFileSync(
      join(pkg, 'src', 'cli.ts'),
      "const from: string = 'sources'\nconsole.log(from, process.argv.slice(2).join(' '))\n",
    )
    writeFileSync(join(pkg, 'dist', 'cli.js'), "console.log('dist', process.argv.slice(2).join(' '))\n")
    return join(pkg, 'bin', 'wisp.mjs')
  }
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(
    dirname(fileURLToPath(import.meta.resolve('tsx/package.json'))),
    join(dir, 'node_modules', 'tsx'),
  )

  it('a checkout (not under node_modules) runs src/cli.ts even when a dist/ exists', () => {
    const r = run(process.execPath, [lay(join(dir, 'checkout')), 'attester', '--x'])
    expect(r.stdout).toBe('sources attester --x\n')
    expect(r.status).toBe(0)
  })

  it('an installed package (under node_modules) runs dist/cli.js', () => {
    const r = run(process.execPath, [lay(join(dir, 'node_modules', '@wisp', 'node')), 'relay'])
    expect(r.stdout).toBe('dist relay\n')
    expect(r.status).toBe(0)
  })
})

describe('help and version', () => {
  it('wisp --version, -v and version print the version, exit 0', () => {
    for (const flag of ['--version', '-v', 'version']) {
      const r = wisp(flag)
      expect(r.stdout, flag).toBe(`${version}\n`)
      expect(r.status, flag).toBe(0)
    }
  })

  it("wisp <command> --help prints that command's own flags, exit 0", () => {
    const attester = wisp('attester', '--help')
    expect(attester.status).toBe(0)
    expect(attester.stdout).toMatch(/^wisp attester — run an attester/)
    expect(attester.stdout).toContain('--avs-webapi <url>')
    expect(attester.stdout).toContain('[.wisp/attester]')
    expect(attester.stdout).not.toContain('--task-definition')
    expect(attester.stdout).not.toContain('--delay')

    const performer = wisp('performer', '-h')
    expect(performer.stdout).toContain('--task-definition <id>')
    expect(performer.stdout).toContain('--signature-type ecdsa|bls')
    expect(performer.stdout).not.toContain('--avs-webapi')

    const aggregator = wisp('help', 'aggregator')
    expect(aggregator.stdout).toContain('--delay <ms>')
    expect(aggregator.stdout).not.toContain('--task-definition')

    const relay = wisp('relay', '--help')
    expect(relay.stdout).toContain('--p2p.listen <multiaddr>')
    expect(relay.stdout).not.toContain('--chain-rpc')

    // --help wins even next to flags that would not parse
    expect(wisp('attester', '--no-such-flag', '--help').stdout).toMatch(/^wisp attester — /)
  })

  it('a flag of another command names the commands that take it, exit 2', () => {
    const r = wisp('aggregator', '--task-definition', '1')
    expect(r.stderr).toBe(
      'wisp: NODE_BAD_FLAGS: --task-definition is not a flag of wisp aggregator (it is a flag of wisp performer)\n',
    )
    expect(r.status).toBe(2)
  })
})

describe('wisp devnet hands its flags to the devnet', () => {
  it('--no-web and every devnet flag reach the devnet parser (no NODE_BAD_FLAGS)', () => {
    const r = wisp('devnet', '--no-web', '--port-offset', '7', '--attesters', '0')
    expect(r.stderr).toBe(
      'wisp devnet: DEVNET_BAD_FLAGS: --attesters must be an integer from 1 to 64, got "0"\n',
    )
    expect(r.status).toBe(2)
  })

  it('wisp devnet --no-web --help prints the devnet help, exit 0', () => {
    const r = wisp('devnet', '--no-web', '--help')
    expect(r.stdout).toContain('--no-web')
    expect(r.stdout).toContain('DEVNET_ALREADY_RUNNING')
    expect(r.status).toBe(0)
  })

  it("the devnet's own bin (npx wisp-devnet) runs it too", () => {
    const r = run(join(root, 'node_modules', '.bin', 'wisp-devnet'), ['--bogus'])
    expect(r.stderr).toBe('wisp devnet: DEVNET_BAD_FLAGS: unknown flag --bogus (see wisp devnet --help)\n')
    expect(r.status).toBe(2)
  })
})
