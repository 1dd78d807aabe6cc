import { describe, expect, it } from 'vitest'
import { parseDevnetArgs } from '../src/cli.js'

describe('wisp devnet flags', () => {
  it('--full-hashes and --no-web reach the devnet options', () => {
    const parsed = parseDevnetArgs(['--full-hashes', '--no-web', '--port-offset', '100'])
    expect(parsed).not.toBe('help')
    const { options } = parsed as Exclude<typeof parsed, 'help'>
    expect(options.fullHashes).toBe(true)
    expect(options.web).toBe(false)
    expect(options.ports?.anvil).toBe(8645)
  })

  it('short hashes by default', () => {
    const parsed = parseDevnetArgs([]) as Exclude<ReturnType<typeof parseDevnetArgs>, 'help'>
    expect(parsed.options.fullHashes).toBe(false)
  })
})
