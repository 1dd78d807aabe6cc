import type { Address, Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  buildSendCustomMessageParams,
  buildSendTaskParams,
  DEFAULT_WIRE_LIMITS,
  parseSendCustomMessageParams,
  parseSendTaskParams,
} from '../src/index.js'
import { expectCode, thrown, vectors } from './helpers.js'

const t = vectors.task
const ecdsa = t.ecdsaPerformerSignature as Hex
const base = [t.proofOfTask, t.data, t.taskDefinitionId, t.taskPerformer, ecdsa]
const task = {
  proofOfTask: t.proofOfTask,
  data: t.data as Hex,
  taskDefinitionId: 0,
  taskPerformer: t.taskPerformer as Address,
}
const bls = {
  type: 'bls',
  signature: { x: BigInt(t.blsPerformerSignature[0]!), y: BigInt(t.blsPerformerSignature[1]!) },
}

describe('sendTask params', () => {
  it('five params mean ECDSA', () => {
    expect(parseSendTaskParams(base)).toEqual({ task, signature: { type: 'ecdsa', signature: ecdsa } })
  })

  it('signatureType "bls" takes the JSON string of the vectors', () => {
    expect(parseSendTaskParams([...base.slice(0, 4), t.blsPerformerSignatureJson, 'bls'])).toEqual({
      task,
      signature: bls,
    })
    expect(parseSendTaskParams([...base.slice(0, 4), t.blsPerformerSignatureJson, 'BLS'])).toEqual({
      task,
      signature: bls,
    })
  })

  it('signatureType "ecdsa" or null, and targetChainId', () => {
    expect(parseSendTaskParams([...base, 'ecdsa']).signature.type).toBe('ecdsa')
    expect(parseSendTaskParams([...base, null, 8453])).toMatchObject({ targetChainId: 8453 })
    expect(parseSendTaskParams([...base, 'ecdsa', null])).not.toHaveProperty('targetChainId')
  })

  it('normalises ECDSA v 0/1 to 27/28 and checksums the performer', () => {
    const v0 = `${ecdsa.slice(0, 130)}${(Number.parseInt(ecdsa.slice(130), 16) - 27).toString(16).padStart(2, '0')}`
    const parsed = parseSendTaskParams([t.proofOfTask, t.data, 0, t.taskPerformer.toLowerCase(), v0])
    expect(parsed.signature).toEqual({ type: 'ecdsa', signature: ecdsa })
    expect(parsed.task.taskPerformer).toBe(t.taskPerformer)
  })

  const bad: Array<[string, unknown, string]> = [
    ['not an array', { 0: 'x' }, ''],
    ['too few', base.slice(0, 4), ''],
    ['too many', [...base, 'ecdsa', 1, 'x'], ''],
    ['proofOfTask not a string', [1, ...base.slice(1)], 'proofOfTask'],
    [
      'proofOfTask too long',
      ['x'.repeat(DEFAULT_WIRE_LIMITS.maxProofOfTaskLength + 1), ...base.slice(1)],
      'proofOfTask',
    ],
    ['data not hex', [t.proofOfTask, 'hello', ...base.slice(2)], 'data'],
    ['data odd', [t.proofOfTask, '0x123', ...base.slice(2)], 'data'],
    ['id as string', [t.proofOfTask, t.data, '0', ...base.slice(3)], 'taskDefinitionId'],
    ['id negative', [t.proofOfTask, t.data, -1, ...base.slice(3)], 'taskDefinitionId'],
    ['id above uint16', [t.proofOfTask, t.data, 65536, ...base.slice(3)], 'taskDefinitionId'],
    ['id fractional', [t.proofOfTask, t.data, 1.5, ...base.slice(3)], 'taskDefinitionId'],
    ['bad performer', [...base.slice(0, 3), '0x1234', ecdsa], 'performerAddress'],
    ['short signature', [...base.slice(0, 4), ecdsa.slice(0, 120)], 'signature'],
    ['v = 29', [...base.slice(0, 4), `${ecdsa.slice(0, 130)}1d`], 'signature'],
    ['BLS JSON without type', [...base.slice(0, 4), t.blsPerformerSignatureJson], 'signature'],
    ['ECDSA with type bls', [...base, 'bls'], 'signature'],
    ['BLS object instead of string', [...base.slice(0, 4), { x: '0x1', y: '0x2' }, 'bls'], 'signature'],
    ['BLS x ≥ p', [...base.slice(0, 4), `{"x":"0x${'f'.repeat(64)}","y":"0x1"}`, 'bls'], 'signature'],
    ['unknown type', [...base, 'schnorr'], 'signatureType'],
    ['chain id 0', [...base, 'ecdsa', 0], 'targetChainId'],
    ['chain id string', [...base, 'ecdsa', '1'], 'targetChainId'],
  ]
  for (const [name, params, param] of bad) {
    it(`refuses ${name} with RPC_INVALID_PARAMS`, () => {
      const err = thrown(() => parseSendTaskParams(params))
      expect(err.code).toBe('RPC_INVALID_PARAMS')
      if (param) expect(err.details.param).toBe(param)
    })
  }

  it('build/parse round trip', () => {
    for (const req of [
      { task, signature: { type: 'ecdsa' as const, signature: ecdsa } },
      { task, signature: bls as never },
      { task, signature: { type: 'ecdsa' as const, signature: ecdsa }, targetChainId: 10 },
    ]) {
      expect(parseSendTaskParams(buildSendTaskParams(req))).toEqual(req)
    }
    expect(buildSendTaskParams({ task, signature: { type: 'ecdsa', signature: ecdsa } })).toHaveLength(5)
  })
})

describe('sendCustomMessage params', () => {
  it('one hex string', () => {
    expect(parseSendCustomMessageParams(['0xABCD'])).toEqual({ data: '0xabcd' })
    expect(parseSendCustomMessageParams(buildSendCustomMessageParams('0x01'))).toEqual({ data: '0x01' })
  })

  it('refuses anything else', () => {
    for (const p of [
      [],
      ['0x01', '0x02'],
      ['hello'],
      [1],
      'x',
      [`0x${'00'.repeat(DEFAULT_WIRE_LIMITS.maxCustomMessageDataBytes + 1)}`],
    ]) {
      expectCode(() => parseSendCustomMessageParams(p), 'RPC_INVALID_PARAMS')
    }
  })
})
