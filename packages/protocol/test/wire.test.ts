import { getAddress, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  BN254_FIELD_MODULUS,
  DEFAULT_WIRE_LIMITS,
  decodeAttestation,
  decodeAuthRequest,
  decodeAuthResponse,
  decodeCustomMessage,
  decodeMessage,
  decodeTask,
  decodeTaskSubmitted,
  encodeAttestation,
  encodeAuthRequest,
  encodeAuthResponse,
  encodeCustomMessage,
  encodeMessage,
  encodeTask,
  encodeTaskSubmitted,
  formatFieldElement,
  isProtocolError,
  MAX_GOSSIP_MESSAGE_BYTES,
  safeDecodeMessage,
  WIRE_KINDS,
  type WireKind,
  type WireLimits,
} from '../src/index.js'
import { expectCode, thrown, vectors } from './helpers.js'
import { pbjsDecode, pbjsEncode } from './pbjs.js'
import {
  ATTESTER,
  attestation,
  BLS_SIG,
  bytes,
  customMessage,
  ECDSA_SIG,
  lenField,
  PERFORMER,
  PROTO_NAMES,
  SAMPLES,
  tag,
  task,
  taskFields,
  taskSubmitted,
  varint,
  varintField,
} from './wire-fixtures.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('round trips', () => {
  for (const kind of WIRE_KINDS) {
    it(`${kind}: decode(encode(v)) equals v`, () => {
      const value = SAMPLES[kind]
      expect(decodeMessage(kind, encodeMessage(kind, value))).toEqual(value)
    })
  }

  it('per-kind shorthands agree with the generic codec', () => {
    expect(decodeTask(encodeTask(task))).toEqual(task)
    expect(decodeAttestation(encodeAttestation(attestation))).toEqual(attestation)
    expect(decodeTaskSubmitted(encodeTaskSubmitted(taskSubmitted))).toEqual(taskSubmitted)
    expect(decodeCustomMessage(encodeCustomMessage(customMessage))).toEqual(customMessage)
    expect(decodeAuthRequest(encodeAuthRequest(SAMPLES.authRequest))).toEqual(SAMPLES.authRequest)
    expect(decodeAuthResponse(encodeAuthResponse(SAMPLES.authResponse))).toEqual(SAMPLES.authResponse)
    expect(hex(encodeTask(task))).toBe(hex(encodeMessage('task', task)))
  })

  it('BLS performer signatures travel as the JSON string of the vectors', () => {
    const encoded = encodeTask({ ...task, signature: { type: 'bls', signature: BLS_SIG } })
    expect(pbjsDecode('Task', encoded).signature).toBe(vectors.task.blsPerformerSignatureJson)
    expect(decodeTask(encoded).signature).toEqual({ type: 'bls', signature: BLS_SIG })
  })

  it('default values (definitionId 0, isApproved false, empty data) survive', () => {
    const t = { ...task, definitionId: 0, data: '0x' as Hex, proofOfTask: '' }
    expect(decodeTask(encodeTask(t))).toEqual(t)
    const a = { ...attestation, isApproved: false, definitionId: 0 }
    expect(decodeAttestation(encodeAttestation(a))).toEqual(a)
  })

  it('decoded challenge bytes are a plain copy, not a view of the input (Uint8Array or Buffer)', () => {
    for (const buf of [
      encodeAuthRequest(SAMPLES.authRequest),
      Buffer.from(encodeAuthRequest(SAMPLES.authRequest)),
    ]) {
      const decoded = decodeAuthRequest(buf)
      buf.fill(0)
      expect(decoded).toEqual(SAMPLES.authRequest)
      expect(Object.getPrototypeOf(decoded.challenge)).toBe(Uint8Array.prototype)
    }
  })
})

describe('canonical form', () => {
  it('checksums addresses, lower-cases hex and normalises ECDSA v to 27/28', () => {
    const v = Number.parseInt(ECDSA_SIG.slice(130), 16)
    const sloppy = {
      ...task,
      performer: PERFORMER.toLowerCase() as Hex,
      data: '0x68656C6C6F' as Hex,
      signature: {
        type: 'ecdsa' as const,
        signature:
          `0x${ECDSA_SIG.slice(2, 130).toUpperCase()}${(v - 27).toString(16).padStart(2, '0')}` as Hex,
      },
    }
    const decoded = decodeTask(encodeTask(sloppy))
    expect(decoded).toEqual(task)
    expect(decoded.performer).toBe(getAddress(PERFORMER))
  })

  it('decoding accepts non-canonical but valid input and returns canonical values', () => {
    const raw = pbjsEncode('Task', {
      signature: ECDSA_SIG.toUpperCase().replace('0X', '0x'),
      performer: PERFORMER.toLowerCase(),
      proofOfTask: 'QmTestCid',
      data: '0x68656C6C6F',
      definitionId: 7,
    })
    expect(decodeTask(raw)).toEqual(task)
  })

  it('accepts decimal BLS coordinates from peers and re-encodes them as 0x-hex', () => {
    const raw = pbjsEncode('Attestation', {
      proofOfTask: 'QmTestCid',
      data: '0x68656c6c6f',
      performer: { address: PERFORMER, signature: vectors.task.blsPerformerSignatureJson },
      attester: { address: ATTESTER, signature: { x: BLS_SIG.x.toString(), y: BLS_SIG.y.toString() } },
      isApproved: true,
      definitionId: 3,
    })
    const decoded = decodeAttestation(raw)
    expect(decoded).toEqual(attestation)
    const reencoded = pbjsDecode('Attestation', encodeAttestation(decoded))
    expect(reencoded.attester).toEqual({
      address: ATTESTER,
      signature: { x: formatFieldElement(BLS_SIG.x), y: formatFieldElement(BLS_SIG.y) },
    })
  })
})

describe('interop with protobufjs (the encoder of Othentic JS nodes)', () => {
  for (const kind of WIRE_KINDS) {
    it(`${kind}: protobufjs decodes our bytes to the same fields`, () => {
      const decoded = pbjsDecode(PROTO_NAMES[kind], encodeMessage(kind, SAMPLES[kind]))
      const again = pbjsEncode(PROTO_NAMES[kind], decoded)
      expect(decodeMessage(kind, again)).toEqual(SAMPLES[kind])
    })
  }

  it('reads packed repeated operatorIds (proto3 default) as well as unpacked', () => {
    const packed = pbjsEncode('TaskSubmitted', {
      taskId: '42',
      txHash: taskSubmitted.txHash,
      performerAddress: PERFORMER,
      operatorIds: taskSubmitted.operatorIds,
      definitionId: 65535,
    })
    // field 4, wire type 2: the packed form protons itself cannot read
    expect(hex(packed)).toContain(`22${(7).toString(16).padStart(2, '0')}0102ac02`)
    expect(decodeTaskSubmitted(packed)).toEqual(taskSubmitted)
    expect(pbjsDecode('TaskSubmitted', encodeTaskSubmitted(taskSubmitted)).operatorIds).toEqual(
      taskSubmitted.operatorIds,
    )
  })

  it('keeps the wire order of ids when packed and unpacked runs are mixed', () => {
    const raw = bytes(
      lenField(1, '42'),
      lenField(2, taskSubmitted.txHash),
      lenField(3, PERFORMER),
      varintField(4, 9),
      lenField(4, [3, 4]),
      varintField(4, 1),
    )
    expect(decodeTaskSubmitted(raw).operatorIds).toEqual([9, 3, 4, 1])
  })
})

describe('truncated input', () => {
  for (const kind of WIRE_KINDS) {
    it(`${kind}: no prefix decodes to the original, and every failure is a wire error`, () => {
      const full = encodeMessage(kind, SAMPLES[kind])
      for (let n = 0; n < full.length; n++) {
        const result = safeDecodeMessage(kind, full.subarray(0, n))
        if (result.ok) expect(result.value).not.toEqual(SAMPLES[kind])
        else expect(result.error.code).toMatch(/^WIRE_/)
      }
    })
  }

  it('a cut inside a field is WIRE_MALFORMED', () => {
    const full = encodeTask(task)
    expectCode(() => decodeTask(full.subarray(0, 5)), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(full.subarray(0, full.length - 1)), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes(tag(1, 2))), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([0x80])), 'WIRE_MALFORMED')
  })
})

describe('oversized input', () => {
  it('a message over the kind limit is WIRE_OVERSIZED before any parsing', () => {
    const big = new Uint8Array(MAX_GOSSIP_MESSAGE_BYTES + 1).fill(0xff)
    const err = thrown(() => decodeTask(big))
    expect(err.code).toBe('WIRE_OVERSIZED')
    expect(err.details).toMatchObject({
      kind: 'task',
      size: MAX_GOSSIP_MESSAGE_BYTES + 1,
      limit: MAX_GOSSIP_MESSAGE_BYTES,
    })
    expectCode(() => decodeMessage('authRequest', new Uint8Array(2000)), 'WIRE_OVERSIZED')
  })

  it('data over the field limit is WIRE_INVALID_FIELD on decode and encode', () => {
    const data = `0x${'ab'.repeat(DEFAULT_WIRE_LIMITS.maxTaskDataBytes + 1)}` as Hex
    expectCode(() => encodeTask({ ...task, data }), 'WIRE_INVALID_FIELD')
    expectCode(() => decodeTask(bytes(...taskFields({ data }))), 'WIRE_INVALID_FIELD')
    const ok = `0x${'ab'.repeat(DEFAULT_WIRE_LIMITS.maxTaskDataBytes)}` as Hex
    expect(decodeTask(encodeTask({ ...task, data: ok })).data).toBe(ok)
  })

  it('a maximal task and attestation fit the default message limit', () => {
    const data = `0x${'ab'.repeat(DEFAULT_WIRE_LIMITS.maxTaskDataBytes)}` as Hex
    const proofOfTask = 'x'.repeat(DEFAULT_WIRE_LIMITS.maxProofOfTaskLength)
    expect(encodeTask({ ...task, data, proofOfTask }).length).toBeLessThanOrEqual(MAX_GOSSIP_MESSAGE_BYTES)
    expect(encodeAttestation({ ...attestation, data, proofOfTask }).length).toBeLessThanOrEqual(
      MAX_GOSSIP_MESSAGE_BYTES,
    )
    const custom = `0x${'cd'.repeat(DEFAULT_WIRE_LIMITS.maxCustomMessageDataBytes)}` as Hex
    expect(decodeCustomMessage(encodeCustomMessage({ data: custom })).data).toBe(custom)
    const ids = Array.from({ length: DEFAULT_WIRE_LIMITS.maxOperatorIds }, (_, i) => 0xffffffff - i).reverse()
    expect(
      decodeTaskSubmitted(encodeTaskSubmitted({ ...taskSubmitted, operatorIds: ids })).operatorIds,
    ).toEqual(ids)
  })

  it('limits are configurable, and encoding checks the message limit too', () => {
    const tight: WireLimits = {
      ...DEFAULT_WIRE_LIMITS,
      maxMessageBytes: { ...DEFAULT_WIRE_LIMITS.maxMessageBytes, task: 100 },
    }
    expectCode(() => encodeTask(task, tight), 'WIRE_OVERSIZED')
    expectCode(() => decodeTask(encodeTask(task), tight), 'WIRE_OVERSIZED')
    const noProof: WireLimits = { ...DEFAULT_WIRE_LIMITS, maxProofOfTaskLength: 3 }
    expectCode(() => decodeTask(encodeTask(task), noProof), 'WIRE_INVALID_FIELD')
  })

  it('too many operator ids is WIRE_INVALID_FIELD', () => {
    const ids = Array.from({ length: DEFAULT_WIRE_LIMITS.maxOperatorIds + 1 }, (_, i) => i + 1)
    expectCode(() => encodeTaskSubmitted({ ...taskSubmitted, operatorIds: ids }), 'WIRE_INVALID_FIELD')
    const raw = bytes(
      lenField(1, '1'),
      lenField(2, taskSubmitted.txHash),
      lenField(3, PERFORMER),
      lenField(
        4,
        ids.flatMap((i) => varint(i)),
      ),
    )
    expectCode(() => decodeTaskSubmitted(raw), 'WIRE_INVALID_FIELD')
  })
})

describe('wrong wire types and malformed structure', () => {
  it('a string field sent as a varint, fixed32 or fixed64 is WIRE_MALFORMED', () => {
    const rest = taskFields().slice(1)
    expectCode(() => decodeTask(bytes(varintField(1, 5), ...rest)), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([...tag(1, 5), 1, 2, 3, 4], ...rest)), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([...tag(1, 1), 1, 2, 3, 4, 5, 6, 7, 8], ...rest)), 'WIRE_MALFORMED')
  })

  it('a uint32/bool field sent length-delimited is WIRE_MALFORMED', () => {
    expectCode(() => decodeTask(bytes(...taskFields(), lenField(5, [7]))), 'WIRE_MALFORMED')
    const err = thrown(() => decodeTask(bytes(...taskFields(), lenField(5, [7]))))
    expect(err.details.reason).toMatch(/wrong wire type 2 for definitionId/)
  })

  it('a nested message sent as a varint is WIRE_MALFORMED', () => {
    const raw = bytes(lenField(1, 'QmTestCid'), lenField(2, '0x'), varintField(3, 1))
    expectCode(() => decodeAttestation(raw), 'WIRE_MALFORMED')
  })

  it('wrong wire types inside nested messages are caught', () => {
    const perf = bytes(lenField(1, PERFORMER), lenField(2, ECDSA_SIG))
    const attester = bytes(lenField(1, ATTESTER), lenField(2, bytes(varintField(1, 1), lenField(2, '0x1'))))
    const raw = bytes(lenField(1, 'QmTestCid'), lenField(2, '0x'), lenField(3, perf), lenField(4, attester))
    const err = thrown(() => decodeAttestation(raw))
    expect(err.code).toBe('WIRE_MALFORMED')
    expect(err.details.reason).toMatch(/attester\.signature\.x/)
  })

  it('group wire types (3, 4) and invalid types (6, 7) are WIRE_MALFORMED', () => {
    for (const wt of [3, 4, 6, 7])
      expectCode(() => decodeTask(bytes(...taskFields(), tag(9, wt))), 'WIRE_MALFORMED')
  })

  it('field number 0, over-long varints and 64-bit overflow are WIRE_MALFORMED', () => {
    expectCode(() => decodeTask(bytes([0x02, 0x00])), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([0x28, ...new Array(10).fill(0xff), 0x01])), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([0x28, ...new Array(9).fill(0xff), 0x02])), 'WIRE_MALFORMED')
  })

  it('a length running past the end is WIRE_MALFORMED', () => {
    expectCode(() => decodeTask(bytes([...tag(3, 2), ...varint(1000), 0x41])), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes([...tag(3, 2), ...varint(2n ** 60n), 0x41])), 'WIRE_MALFORMED')
  })

  it('a repeated singular field is WIRE_MALFORMED (parsers would disagree on its value)', () => {
    const err = thrown(() => decodeTask(bytes(...taskFields(), lenField(2, ATTESTER))))
    expect(err.code).toBe('WIRE_MALFORMED')
    expect(err.details.reason).toMatch(/duplicate field performer/)
  })

  it('uint32 values above 2^32-1 and bools other than 0/1 are WIRE_INVALID_FIELD', () => {
    expectCode(() => decodeTask(bytes(...taskFields(), varintField(5, 2 ** 32))), 'WIRE_INVALID_FIELD')
    const ts = [lenField(1, '1'), lenField(2, taskSubmitted.txHash), lenField(3, PERFORMER)]
    expectCode(() => decodeTaskSubmitted(bytes(...ts, varintField(6, 2))), 'WIRE_INVALID_FIELD')
    expectCode(() => decodeTaskSubmitted(bytes(...ts, lenField(4, varint(2 ** 32)))), 'WIRE_INVALID_FIELD')
    expect(decodeTaskSubmitted(bytes(...ts, varintField(6, 1))).isApproved).toBe(true)
  })

  it('invalid UTF-8 in a string field is WIRE_INVALID_FIELD', () => {
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]) {
      const raw = bytes(lenField(1, ECDSA_SIG), lenField(2, PERFORMER), lenField(3, bad), lenField(4, '0x'))
      expectCode(() => decodeTask(raw), 'WIRE_INVALID_FIELD')
    }
    const ok = bytes(
      lenField(1, ECDSA_SIG),
      lenField(2, PERFORMER),
      lenField(3, 'ünïcødé 🚀'),
      lenField(4, '0x'),
    )
    expect(decodeTask(ok).proofOfTask).toBe('ünïcødé 🚀')
  })
})

describe('unknown fields', () => {
  it('are skipped whatever their wire type (forward compatibility)', () => {
    const unknown = [
      varintField(15, 123456),
      lenField(16, 'future'),
      [...tag(17, 5), 1, 2, 3, 4],
      [...tag(18, 1), 1, 2, 3, 4, 5, 6, 7, 8],
      lenField(1000, [0xff, 0xfe]),
    ]
    expect(decodeTask(bytes(unknown[0]!, ...taskFields(), ...unknown.slice(1), varintField(5, 7)))).toEqual(
      task,
    )
  })

  it('inside nested messages too', () => {
    const perf = bytes(
      lenField(1, PERFORMER),
      varintField(9, 1),
      lenField(2, vectors.task.blsPerformerSignatureJson),
    )
    const sig = bytes(
      lenField(1, formatFieldElement(BLS_SIG.x)),
      lenField(3, 'z'),
      lenField(2, formatFieldElement(BLS_SIG.y)),
    )
    const att = bytes(lenField(1, ATTESTER), lenField(2, sig))
    const raw = bytes(
      lenField(1, 'QmTestCid'),
      lenField(2, '0x68656c6c6f'),
      lenField(3, perf),
      lenField(4, att),
      varintField(5, 1),
      varintField(6, 3),
    )
    expect(decodeAttestation(raw)).toEqual(attestation)
  })

  it('must still be well-formed', () => {
    expectCode(() => decodeTask(bytes(...taskFields(), [...tag(20, 5), 1, 2])), 'WIRE_MALFORMED')
    expectCode(() => decodeTask(bytes(...taskFields(), [...tag(20, 2), 5, 1])), 'WIRE_MALFORMED')
  })
})

describe('semantic validation', () => {
  const cases: Array<[string, () => unknown, string]> = [
    [
      'performer not an address',
      () => decodeTask(bytes(...taskFields({ performer: '0x1234' }))),
      'performer',
    ],
    [
      'performer without 0x',
      () => decodeTask(bytes(...taskFields({ performer: PERFORMER.slice(2) }))),
      'performer',
    ],
    ['data not hex', () => decodeTask(bytes(...taskFields({ data: '0xzz' }))), 'data'],
    ['data odd length', () => decodeTask(bytes(...taskFields({ data: '0x123' }))), 'data'],
    ['data without 0x', () => decodeTask(bytes(...taskFields({ data: '68656c6c6f' }))), 'data'],
    ['signature missing', () => decodeTask(bytes(...taskFields().slice(1))), 'signature'],
    [
      'signature too short',
      () => decodeTask(bytes(...taskFields({ signature: ECDSA_SIG.slice(0, 100) }))),
      'signature',
    ],
    [
      'signature bad BLS JSON',
      () => decodeTask(bytes(...taskFields({ signature: '{"x":"0x1"}' }))),
      'signature',
    ],
    [
      'definitionId above uint16',
      () => decodeTask(bytes(...taskFields(), varintField(5, 65536))),
      'definitionId',
    ],
  ]
  for (const [name, fn, field] of cases) {
    it(`task: ${name} → WIRE_INVALID_FIELD on ${field}`, () => {
      const err = thrown(fn)
      expect(err.code).toBe('WIRE_INVALID_FIELD')
      expect(err.details).toMatchObject({ kind: 'task', field })
    })
  }

  it('attestation: missing nested parts and out-of-field coordinates', () => {
    const base = pbjsDecode('Attestation', encodeAttestation(attestation))
    const variants: Array<[Record<string, unknown>, string]> = [
      [{ ...base, performer: null }, 'performer'],
      [{ ...base, attester: null }, 'attester'],
      [{ ...base, attester: { address: ATTESTER } }, 'attester.signature'],
      [
        {
          ...base,
          attester: { address: '0x12', signature: (base.attester as { signature: unknown }).signature },
        },
        'attester.address',
      ],
      [
        {
          ...base,
          attester: {
            address: ATTESTER,
            signature: { x: formatFieldElement(BN254_FIELD_MODULUS), y: '0x1' },
          },
        },
        'attester.signature',
      ],
      [{ ...base, performer: { address: PERFORMER, signature: '' } }, 'performer.signature'],
    ]
    for (const [value, field] of variants) {
      const err = thrown(() => decodeAttestation(pbjsEncode('Attestation', value)))
      expect(err.code).toBe('WIRE_INVALID_FIELD')
      expect(err.details.field).toBe(field)
    }
  })

  it('taskSubmitted: bad tx hash, operator id 0, long task id', () => {
    const base = pbjsDecode('TaskSubmitted', encodeTaskSubmitted(taskSubmitted))
    const variants: Array<[Record<string, unknown>, string]> = [
      [{ ...base, txHash: '0x1234' }, 'txHash'],
      [{ ...base, operatorIds: [1, 0, 2] }, 'operatorIds[1]'],
      [{ ...base, taskId: 'x'.repeat(257) }, 'taskId'],
      [{ ...base, performerAddress: '' }, 'performerAddress'],
    ]
    for (const [value, field] of variants) {
      const err = thrown(() => decodeTaskSubmitted(pbjsEncode('TaskSubmitted', value)))
      expect(err.code).toBe('WIRE_INVALID_FIELD')
      expect(err.details.field).toBe(field)
    }
  })

  it('custom message: data must be 0x-hex', () => {
    expectCode(() => decodeCustomMessage(bytes(lenField(1, 'hello'))), 'WIRE_INVALID_FIELD')
    expectCode(() => decodeCustomMessage(new Uint8Array()), 'WIRE_INVALID_FIELD')
    expect(decodeCustomMessage(bytes(lenField(1, '0x'))).data).toBe('0x')
  })

  it('auth: challenge length bounds and operator id', () => {
    expectCode(() => decodeAuthRequest(bytes(lenField(1, new Array(15).fill(1)))), 'WIRE_INVALID_FIELD')
    expectCode(() => decodeAuthRequest(bytes(lenField(1, new Array(65).fill(1)))), 'WIRE_INVALID_FIELD')
    expect(decodeAuthRequest(bytes(lenField(1, new Array(16).fill(1)))).challenge).toHaveLength(16)
    expectCode(() => encodeAuthResponse({ ...SAMPLES.authResponse, operatorId: 0 }), 'WIRE_INVALID_FIELD')
    const noSig = pbjsDecode('AuthResponse', encodeAuthResponse(SAMPLES.authResponse))
    expectCode(
      () => decodeAuthResponse(pbjsEncode('AuthResponse', { ...noSig, signature: null })),
      'WIRE_INVALID_FIELD',
    )
  })
})

describe('encoding refuses what decoding would refuse', () => {
  const bad: Array<[WireKind, unknown]> = [
    ['task', { ...task, performer: 'nope' }],
    ['task', { ...task, definitionId: 70000 }],
    ['task', { ...task, definitionId: 1.5 }],
    ['task', { ...task, signature: { type: 'ecdsa', signature: '0x12' } }],
    ['task', { ...task, signature: { type: 'bls', signature: { x: -1n, y: 1n } } }],
    ['task', { ...task, signature: { type: 'bls', signature: { x: BN254_FIELD_MODULUS, y: 1n } } }],
    ['task', { ...task, signature: { type: 'rsa', signature: 'x' } }],
    ['task', { ...task, signature: null }],
    ['task', { ...task, proofOfTask: 5 }],
    ['attestation', { ...attestation, attester: undefined }],
    ['attestation', { ...attestation, attester: { address: ATTESTER, signature: { x: 1, y: 2 } } }],
    ['attestation', { ...attestation, isApproved: 'yes' }],
    ['attestation', { ...attestation, performer: 'x' }],
    ['taskSubmitted', { ...taskSubmitted, operatorIds: 'x' }],
    ['taskSubmitted', { ...taskSubmitted, operatorIds: [1, 2 ** 32] }],
    ['customMessage', { data: 12 }],
    ['authRequest', { challenge: 'abc' }],
    ['authResponse', { ...SAMPLES.authResponse, challenge: new Uint8Array(8) }],
  ]
  bad.forEach(([kind, value], i) => {
    it(`${kind} #${i} → WIRE_INVALID_FIELD`, () => {
      expectCode(() => encodeMessage(kind, value as never), 'WIRE_INVALID_FIELD')
    })
  })

  it('non-object values and unknown kinds', () => {
    expectCode(() => encodeMessage('task', null as never), 'WIRE_INVALID_FIELD')
    expectCode(() => encodeMessage('task', 'task' as never), 'WIRE_INVALID_FIELD')
    expectCode(() => encodeMessage('nope' as WireKind, task as never), 'WIRE_UNKNOWN_KIND')
    expectCode(() => decodeMessage('nope' as WireKind, new Uint8Array()), 'WIRE_UNKNOWN_KIND')
  })
})

describe('safeDecodeMessage', () => {
  it('returns the value or a plain error with a wire code, never throws', () => {
    expect(safeDecodeMessage('task', encodeTask(task))).toEqual({ ok: true, value: task })
    const bad = safeDecodeMessage('task', new Uint8Array([0xff]))
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error).toMatchObject({ name: 'ProtocolError', code: 'WIRE_MALFORMED' })
      expect(bad.error).not.toBeInstanceOf(Error)
      expect(structuredClone(bad.error)).toEqual(bad.error)
    }
    for (const input of [null, undefined, 'abc', [1, 2], {}, new ArrayBuffer(4)]) {
      const r = safeDecodeMessage('task', input as unknown as Uint8Array)
      expect(r).toMatchObject({ ok: false, error: { code: 'WIRE_MALFORMED' } })
    }
    expect(safeDecodeMessage('zzz' as WireKind, new Uint8Array())).toMatchObject({
      ok: false,
      error: { code: 'WIRE_UNKNOWN_KIND' },
    })
  })

  it('thrown decode errors are ProtocolErrors', () => {
    const err = thrown(() => decodeTask(new Uint8Array([0x0a, 0x05])))
    expect(isProtocolError(err)).toBe(true)
    expect(err.name).toBe('ProtocolError')
  })
})
