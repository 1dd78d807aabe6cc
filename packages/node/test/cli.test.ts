// The CLI refuses bad flags and unreachable RPCs with coded messages and the right exit codes.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const wisp = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@wisp/source', '--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  })
const key = `0x${'11'.repeat(32)}`
const center = '0x2222222222222222222222222222222222222222'

describe('wisp CLI', () => {
  it('prints usage', () => {
    const run = wisp('--help')
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('wisp <command>')
  })

  it('refuses bad flags with NODE_BAD_FLAGS and exit code 2', () => {
    for (const args of [
      ['nonsense'],
      ['attester', '--no-such-flag'],
      ['attester', '--attestation-center', center, '--private-key', key],
      ['attester', '--chain-rpc', 'http://127.0.0.1:1', '--attestation-center', 'nope', '--private-key', key],
      ['attester', '--chain-rpc', 'http://127.0.0.1:1', '--attestation-center', center],
      [
        'performer',
        '--chain-rpc',
        'http://127.0.0.1:1',
        '--attestation-center',
        center,
        '--private-key',
        key,
      ],
      [
        'aggregator',
        '--chain-rpc',
        'http://127.0.0.1:1',
        '--attestation-center',
        center,
        '--private-key',
        key,
        '--delay',
        'soon',
      ],
    ]) {
      const run = wisp(...args)
      expect(run.status, args.join(' ')).toBe(2)
      expect(run.stderr, args.join(' ')).toMatch(/^wisp: NODE_BAD_FLAGS: /)
    }
  })

  it('an unreachable RPC is NODE_RPC_UNREACHABLE, exit code 1', () => {
    const run = wisp(
      'aggregator',
      '--chain-rpc',
      'http://127.0.0.1:1',
      '--attestation-center',
      center,
      '--private-key',
      key,
      '--p2p.datadir',
      '/tmp/wisp-cli-test',
    )
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/NODE_RPC_UNREACHABLE/)
  })
})
