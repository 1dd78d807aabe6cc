import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { vectors } from './helpers.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8')

describe('README', () => {
  it('shows the example file verbatim', () => {
    expect(readme).toContain(example.trim())
  })

  it('the example runs and prints the vector hashes', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await import('./readme-example.js')
      expect(log).toHaveBeenCalledWith('taskHash', vectors.task.taskHash)
      expect(log).toHaveBeenCalledWith('voteHash', vectors.vote.voteHash)
      expect(log).toHaveBeenCalledWith('decoded', expect.objectContaining({ proofOfTask: 'QmTestCid' }))
    } finally {
      log.mockRestore()
    }
  })

  it('lists every error code', async () => {
    const { PROTOCOL_ERROR_CODES, NO_VOTE_REASONS } = await import('../src/index.js')
    for (const code of [...PROTOCOL_ERROR_CODES, ...NO_VOTE_REASONS]) expect(readme).toContain(`\`${code}\``)
  })
})
