import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'

describe('README', () => {
  it('shows the example this test runs', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8')
    expect(readme).toContain(example.trim())
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    await import('./readme-example.js')
    expect(log.mock.calls).toEqual([
      [['attester'], true],
      [['@wisp/plugin-hash-chain', '@wisp/plugin-price-oracle']],
    ])
    log.mockRestore()
  })
})
