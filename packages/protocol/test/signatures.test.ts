import type { Hex } from 'viem'
import { sign } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  BN254_FIELD_MODULUS,
  checkBlsSignatureJson,
  checkEcdsaSignature,
  checkFieldElement,
  checkG1Point,
  checkPerformerSignature,
  formatBlsSignatureJson,
  formatFieldElement,
  formatPerformerSignature,
  isValidEcdsaPerformerSignature,
  parseBlsSignatureJson,
  parseEcdsaSignature,
  parsePerformerSignature,
  recoverEcdsaPerformer,
  type TaskInfo,
} from '../src/index.js'
import { expectCode, vectors } from './helpers.js'

const ecdsa = vectors.task.ecdsaPerformerSignature as Hex
const [blsX, blsY] = vectors.task.blsPerformerSignature as [Hex, Hex]
const task: TaskInfo = {
  proofOfTask: vectors.task.proofOfTask,
  data: vectors.task.data as Hex,
  taskPerformer: vectors.task.taskPerformer as Hex,
  taskDefinitionId: vectors.task.taskDefinitionId,
}
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

function withV(sig: Hex, v: number): Hex {
  return `${sig.slice(0, 130)}${v.toString(16).padStart(2, '0')}` as Hex
}

describe('BN254 field modulus', () => {
  it('is p = 36u⁴ + 36u³ + 24u² + 6u + 1 for the BN254 parameter u', () => {
    const u = 4965661367192848881n
    expect(BN254_FIELD_MODULUS).toBe(36n * u ** 4n + 36n * u ** 3n + 24n * u ** 2n + 6n * u + 1n)
    expect(BN254_FIELD_MODULUS).toBe(0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n)
  })
})

describe('ECDSA signatures', () => {
  it('accept the vector unchanged', () => {
    expect(checkEcdsaSignature(ecdsa)).toEqual({ ok: true, value: ecdsa })
  })

  it('normalise v 0/1 to 27/28 and upper-case hex to lower-case', () => {
    const v = Number.parseInt(ecdsa.slice(130), 16)
    expect(parseEcdsaSignature(withV(ecdsa, v - 27))).toBe(ecdsa)
    expect(parseEcdsaSignature(`0x${ecdsa.slice(2).toUpperCase()}`)).toBe(ecdsa)
  })

  it('refuse other v values, wrong lengths, non-hex and non-strings', () => {
    for (const v of [2, 26, 29, 35, 255]) expect(checkEcdsaSignature(withV(ecdsa, v)).ok).toBe(false)
    expect(checkEcdsaSignature(ecdsa.slice(0, -2)).ok).toBe(false)
    expect(checkEcdsaSignature(`${ecdsa}00`).ok).toBe(false)
    expect(checkEcdsaSignature(ecdsa.slice(2)).ok).toBe(false)
    expect(checkEcdsaSignature(`0x${'zz'.repeat(65)}`).ok).toBe(false)
    expect(checkEcdsaSignature(42).ok).toBe(false)
    expectCode(() => parseEcdsaSignature(null), 'INVALID_VALUE')
  })

  it('refuse high-s and zero r/s, which the contract would revert on', () => {
    const r = ecdsa.slice(2, 66)
    const s = BigInt(`0x${ecdsa.slice(66, 130)}`)
    const highS = (N - s).toString(16).padStart(64, '0')
    expect(checkEcdsaSignature(`0x${r}${highS}1b`)).toMatchObject({ ok: false, reason: /high-s/ })
    expect(checkEcdsaSignature(`0x${'0'.repeat(64)}${ecdsa.slice(66)}`).ok).toBe(false)
    expect(checkEcdsaSignature(`0x${r}${'0'.repeat(64)}1b`).ok).toBe(false)
  })

  it('recover to the performer; validity check never throws', async () => {
    expect(await recoverEcdsaPerformer(task, ecdsa)).toBe(task.taskPerformer)
    expect(await isValidEcdsaPerformerSignature(task, ecdsa)).toBe(true)
    expect(await isValidEcdsaPerformerSignature({ ...task, proofOfTask: 'other' }, ecdsa)).toBe(false)
    expect(await isValidEcdsaPerformerSignature(task, '0x1234')).toBe(false)
    expect(await isValidEcdsaPerformerSignature(task, undefined)).toBe(false)
    const other = await sign({ hash: `0x${'11'.repeat(32)}`, privateKey: `0x${'22'.repeat(32)}`, to: 'hex' })
    expect(await isValidEcdsaPerformerSignature(task, other)).toBe(false)
  })
})

describe('BLS G1 signatures', () => {
  it('parse the vector JSON string and format it back identically', () => {
    const point = parseBlsSignatureJson(vectors.task.blsPerformerSignatureJson)
    expect(point).toEqual({ x: BigInt(blsX), y: BigInt(blsY) })
    expect(formatBlsSignatureJson(point)).toBe(vectors.task.blsPerformerSignatureJson)
  })

  it('accept short hex and decimal coordinates', () => {
    expect(checkFieldElement('0x1')).toEqual({ ok: true, value: 1n })
    expect(checkFieldElement('12345')).toEqual({ ok: true, value: 12345n })
    expect(checkFieldElement((BN254_FIELD_MODULUS - 1n).toString())).toEqual({
      ok: true,
      value: BN254_FIELD_MODULUS - 1n,
    })
    expect(formatFieldElement(1n)).toBe(`0x${'0'.repeat(63)}1`)
  })

  it('refuse coordinates at or above p, malformed strings and huge inputs', () => {
    expect(checkFieldElement(formatFieldElement(BN254_FIELD_MODULUS)).ok).toBe(false)
    expect(checkFieldElement(BN254_FIELD_MODULUS.toString()).ok).toBe(false)
    expect(checkFieldElement(`0x${'f'.repeat(64)}`).ok).toBe(false)
    expect(checkFieldElement(`0x${'0'.repeat(65)}`).ok).toBe(false)
    expect(checkFieldElement('9'.repeat(79)).ok).toBe(false)
    for (const bad of ['', '0x', '-1', '1.5', '1e3', ' 1', 'x', 5, 5n, null]) {
      expect(checkFieldElement(bad).ok).toBe(false)
    }
  })

  it('require an object with exactly x and y', () => {
    expect(checkG1Point({ x: blsX, y: blsY }).ok).toBe(true)
    expect(checkG1Point({ x: blsX }).ok).toBe(false)
    expect(checkG1Point({ x: blsX, y: blsY, z: '0x1' }).ok).toBe(false)
    expect(checkG1Point([blsX, blsY]).ok).toBe(false)
    expect(checkG1Point(null).ok).toBe(false)
    expect(checkG1Point({ x: blsX, y: 7 })).toMatchObject({ ok: false, reason: /^y:/ })
  })

  it('refuse bad JSON strings', () => {
    expect(checkBlsSignatureJson('{').ok).toBe(false)
    expect(checkBlsSignatureJson('[1,2]').ok).toBe(false)
    expect(checkBlsSignatureJson(`{"x":"${blsX}","y":"${blsY}"${' '.repeat(600)}}`).ok).toBe(false)
    expect(checkBlsSignatureJson({ x: blsX, y: blsY }).ok).toBe(false)
    expectCode(() => parseBlsSignatureJson('nope'), 'INVALID_VALUE')
  })
})

describe('performer signatures', () => {
  it('detect the form when no type is given', () => {
    expect(parsePerformerSignature(ecdsa)).toEqual({ type: 'ecdsa', signature: ecdsa })
    expect(parsePerformerSignature(vectors.task.blsPerformerSignatureJson)).toEqual({
      type: 'bls',
      signature: { x: BigInt(blsX), y: BigInt(blsY) },
    })
  })

  it('enforce the given type', () => {
    expect(checkPerformerSignature(ecdsa, 'bls').ok).toBe(false)
    expect(checkPerformerSignature(vectors.task.blsPerformerSignatureJson, 'ecdsa').ok).toBe(false)
    expectCode(() => parsePerformerSignature(1), 'INVALID_VALUE')
  })

  it('format back to the strings they came from', () => {
    for (const s of [ecdsa, vectors.task.blsPerformerSignatureJson]) {
      expect(formatPerformerSignature(parsePerformerSignature(s))).toBe(s)
    }
  })
})

describe('recoverEcdsaPerformer errors', () => {
  it('are INVALID_VALUE', async () => {
    await expect(recoverEcdsaPerformer(task, '0x12')).rejects.toMatchObject({ code: 'INVALID_VALUE' })
    // well-formed but r is not an x coordinate on the curve
    const r = (N - 1n).toString(16).padStart(64, '0')
    await expect(recoverEcdsaPerformer(task, `0x${r}${ecdsa.slice(66)}` as Hex)).rejects.toMatchObject({
      code: 'INVALID_VALUE',
    })
  })
})
