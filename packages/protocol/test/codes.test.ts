import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  ATTESTER_REJECTION_CODES,
  attempt,
  attestationCenterErrorsAbi,
  CONTRACT_ERROR_CODES,
  isProtocolError,
  isProtocolErrorCode,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  toErrorInfo,
  WispError,
} from '../src/index.js'

describe('error catalogue', () => {
  it('codes are unique', () => {
    expect(new Set(PROTOCOL_ERROR_CODES).size).toBe(PROTOCOL_ERROR_CODES.length)
  })

  it('contract codes are exactly the errors of the exported ABI', () => {
    expect(attestationCenterErrorsAbi.map((e) => e.name)).toEqual([...CONTRACT_ERROR_CODES])
    for (const c of ATTESTER_REJECTION_CODES) expect(CONTRACT_ERROR_CODES).toContain(c)
  })

  it('isProtocolErrorCode / isProtocolError', () => {
    expect(isProtocolErrorCode('WIRE_MALFORMED')).toBe(true)
    expect(isProtocolErrorCode('nope')).toBe(false)
    expect(isProtocolErrorCode(5)).toBe(false)
    const err = new ProtocolError('WIRE_MALFORMED', 'x', { details: { a: 1 }, cause: new Error('inner') })
    expect(err).toBeInstanceOf(WispError)
    expect(err.name).toBe('ProtocolError')
    expect(isProtocolError(err)).toBe(true)
    expect(isProtocolError(new WispError('WIRE_MALFORMED', 'x'))).toBe(false)
    expect(toErrorInfo(err)).toEqual({
      name: 'ProtocolError',
      code: 'WIRE_MALFORMED',
      message: 'x',
      details: { a: 1 },
    })
  })

  it('attempt turns throws into results', () => {
    expect(attempt(() => 1)).toEqual({ ok: true, value: 1 })
    expect(
      attempt(() => {
        throw new ProtocolError('LEADER_NO_ACTIVE_OPERATORS', 'none')
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'LEADER_NO_ACTIVE_OPERATORS' },
    })
    expect(
      attempt(() => {
        throw new TypeError('t')
      }),
    ).toMatchObject({ ok: false, error: { code: 'UNEXPECTED' } })
  })
})

describe('the package stays portable', () => {
  const srcDir = fileURLToPath(new URL('../src', import.meta.url))
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) =>
      statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)],
    )

  it('src uses no Node or DOM globals and no I/O', () => {
    const forbidden = [
      /\bprocess\./,
      /from 'node:/,
      /\brequire\(/,
      /\bfetch\(/,
      /\bBuffer\b/,
      /\bwindow\./,
      /\bdocument\./,
    ]
    for (const file of files(srcDir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(file, 'utf8')
      for (const re of forbidden) expect(re.test(text), `${file} matches ${re}`).toBe(false)
    }
  })
})
