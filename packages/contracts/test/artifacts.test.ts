// The committed src/artifacts must equal a fresh solc-js compile of contracts/ (so they cannot go stale).
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { artifactsDir, compile, renderArtifacts } from '../scripts/compile.js'
import { attestationCenterAbi, attestationCenterBytecode, solcVersion } from '../src/index.js'

describe('artifacts', () => {
  let compiled: ReturnType<typeof compile> | undefined
  const fresh = () => {
    compiled ??= compile()
    return compiled
  }

  it('match a fresh compile of contracts/ (run `npm run compile` after editing Solidity)', () => {
    const expected = renderArtifacts(fresh())
    const committed = readdirSync(artifactsDir).sort()
    expect(committed).toEqual([...expected.keys()].sort())
    for (const [name, content] of expected) {
      expect(readFileSync(join(artifactsDir, name), 'utf8'), `src/artifacts/${name} is stale`).toBe(content)
    }
  })

  it('fit the EIP-170 / EIP-3860 size limits', () => {
    for (const c of fresh().contracts) {
      expect((c.bytecode.length - 2) / 2, `${c.name} initcode`).toBeLessThanOrEqual(49_152)
      expect((c.deployedBytecode.length - 2) / 2, `${c.name} runtime`).toBeLessThanOrEqual(24_576)
    }
    expect(solcVersion).toMatch(/^0\.8\./)
    expect(attestationCenterBytecode.startsWith('0x')).toBe(true)
    // the AttestationCenter ABI includes its extension's functions
    const names = new Set<string>(
      attestationCenterAbi.filter((i) => i.type === 'function').map((i) => i.name),
    )
    for (const fn of [
      'submitTask',
      'slashOperatorForDoubleAttestation',
      'requestBatchPayment',
      'createNewTaskDefinition',
    ]) {
      expect(names.has(fn)).toBe(true)
    }
  })
})
