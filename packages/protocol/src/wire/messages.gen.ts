import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface G1Signature {
  x: string
  y: string
}

export namespace G1Signature {
  let _codec: Codec<G1Signature>

  export const codec = (): Codec<G1Signature> => {
    if (_codec == null) {
      _codec = message<G1Signature>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.x != null && obj.x !== '')) {
          w.uint32(10)
          w.string(obj.x)
        }

        if ((obj.y != null && obj.y !== '')) {
          w.uint32(18)
          w.string(obj.y)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          x: '',
          y: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.x = reader.string()
              break
            }
            case 2: {
              obj.y = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.x`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.y`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface G1SignatureXFieldEvent {
    field: '$.x'
    value: string
  }

  export interface G1SignatureYFieldEvent {
    field: '$.y'
    value: string
  }

  export function encode (obj: Partial<G1Signature>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, G1Signature.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<G1Signature>): G1Signature {
    return decodeMessage(buf, G1Signature.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<G1Signature>): Generator<G1SignatureXFieldEvent | G1SignatureYFieldEvent> {
    return streamMessage(buf, G1Signature.codec(), opts)
  }
}

export interface PerformerInfo {
  address: string
  signature: string
}

export namespace PerformerInfo {
  let _codec: Codec<PerformerInfo>

  export const codec = (): Codec<PerformerInfo> => {
    if (_codec == null) {
      _codec = message<PerformerInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.address != null && obj.address !== '')) {
          w.uint32(10)
          w.string(obj.address)
        }

        if ((obj.signature != null && obj.signature !== '')) {
          w.uint32(18)
          w.string(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          address: '',
          signature: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.address = reader.string()
              break
            }
            case 2: {
              obj.signature = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.address`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.signature`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PerformerInfoAddressFieldEvent {
    field: '$.address'
    value: string
  }

  export interface PerformerInfoSignatureFieldEvent {
    field: '$.signature'
    value: string
  }

  export function encode (obj: Partial<PerformerInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PerformerInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PerformerInfo>): PerformerInfo {
    return decodeMessage(buf, PerformerInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PerformerInfo>): Generator<PerformerInfoAddressFieldEvent | PerformerInfoSignatureFieldEvent> {
    return streamMessage(buf, PerformerInfo.codec(), opts)
  }
}

export interface AttesterInfo {
  address: string
  signature?: G1Signature
}

export namespace AttesterInfo {
  let _codec: Codec<AttesterInfo>

  export const codec = (): Codec<AttesterInfo> => {
    if (_codec == null) {
      _codec = message<AttesterInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.address != null && obj.address !== '')) {
          w.uint32(10)
          w.string(obj.address)
        }

        if (obj.signature != null) {
          w.uint32(18)
          G1Signature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          address: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.address = reader.string()
              break
            }
            case 2: {
              obj.signature = G1Signature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signature
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.address`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield * G1Signature.codec().stream(reader, reader.uint32(), `${prefix}.signature`, {
                limits: opts.limits?.signature
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttesterInfoAddressFieldEvent {
    field: '$.address'
    value: string
  }

  export interface AttesterInfoSignatureXFieldEvent {
    field: '$.signature.x'
    value: string
  }

  export interface AttesterInfoSignatureYFieldEvent {
    field: '$.signature.y'
    value: string
  }

  export function encode (obj: Partial<AttesterInfo>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AttesterInfo.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttesterInfo>): AttesterInfo {
    return decodeMessage(buf, AttesterInfo.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AttesterInfo>): Generator<AttesterInfoAddressFieldEvent | AttesterInfoSignatureXFieldEvent | AttesterInfoSignatureYFieldEvent> {
    return streamMessage(buf, AttesterInfo.codec(), opts)
  }
}

export interface Task {
  signature: string
  performer: string
  proofOfTask: string
  data: string
  definitionId: number
}

export namespace Task {
  let _codec: Codec<Task>

  export const codec = (): Codec<Task> => {
    if (_codec == null) {
      _codec = message<Task>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.signature != null && obj.signature !== '')) {
          w.uint32(10)
          w.string(obj.signature)
        }

        if ((obj.performer != null && obj.performer !== '')) {
          w.uint32(18)
          w.string(obj.performer)
        }

        if ((obj.proofOfTask != null && obj.proofOfTask !== '')) {
          w.uint32(26)
          w.string(obj.proofOfTask)
        }

        if ((obj.data != null && obj.data !== '')) {
          w.uint32(34)
          w.string(obj.data)
        }

        if ((obj.definitionId != null && obj.definitionId !== 0)) {
          w.uint32(40)
          w.uint32(obj.definitionId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          signature: '',
          performer: '',
          proofOfTask: '',
          data: '',
          definitionId: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.signature = reader.string()
              break
            }
            case 2: {
              obj.performer = reader.string()
              break
            }
            case 3: {
              obj.proofOfTask = reader.string()
              break
            }
            case 4: {
              obj.data = reader.string()
              break
            }
            case 5: {
              obj.definitionId = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.signature`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.performer`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.proofOfTask`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.data`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.definitionId`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TaskSignatureFieldEvent {
    field: '$.signature'
    value: string
  }

  export interface TaskPerformerFieldEvent {
    field: '$.performer'
    value: string
  }

  export interface TaskProofOfTaskFieldEvent {
    field: '$.proofOfTask'
    value: string
  }

  export interface TaskDataFieldEvent {
    field: '$.data'
    value: string
  }

  export interface TaskDefinitionIdFieldEvent {
    field: '$.definitionId'
    value: number
  }

  export function encode (obj: Partial<Task>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Task.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Task {
    return decodeMessage(buf, Task.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Task>): Generator<TaskSignatureFieldEvent | TaskPerformerFieldEvent | TaskProofOfTaskFieldEvent | TaskDataFieldEvent | TaskDefinitionIdFieldEvent> {
    return streamMessage(buf, Task.codec(), opts)
  }
}

export interface Attestation {
  proofOfTask: string
  data: string
  performer?: PerformerInfo
  attester?: AttesterInfo
  isApproved: boolean
  definitionId: number
}

export namespace Attestation {
  let _codec: Codec<Attestation>

  export const codec = (): Codec<Attestation> => {
    if (_codec == null) {
      _codec = message<Attestation>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.proofOfTask != null && obj.proofOfTask !== '')) {
          w.uint32(10)
          w.string(obj.proofOfTask)
        }

        if ((obj.data != null && obj.data !== '')) {
          w.uint32(18)
          w.string(obj.data)
        }

        if (obj.performer != null) {
          w.uint32(26)
          PerformerInfo.codec().encode(obj.performer, w)
        }

        if (obj.attester != null) {
          w.uint32(34)
          AttesterInfo.codec().encode(obj.attester, w)
        }

        if ((obj.isApproved != null && obj.isApproved !== false)) {
          w.uint32(40)
          w.bool(obj.isApproved)
        }

        if ((obj.definitionId != null && obj.definitionId !== 0)) {
          w.uint32(48)
          w.uint32(obj.definitionId)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          proofOfTask: '',
          data: '',
          isApproved: false,
          definitionId: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.proofOfTask = reader.string()
              break
            }
            case 2: {
              obj.data = reader.string()
              break
            }
            case 3: {
              obj.performer = PerformerInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.performer
              })
              break
            }
            case 4: {
              obj.attester = AttesterInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attester
              })
              break
            }
            case 5: {
              obj.isApproved = reader.bool()
              break
            }
            case 6: {
              obj.definitionId = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.proofOfTask`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield * PerformerInfo.codec().stream(reader, reader.uint32(), `${prefix}.performer`, {
                limits: opts.limits?.performer
              })

              break
            }
            case 4: {
              yield * AttesterInfo.codec().stream(reader, reader.uint32(), `${prefix}.attester`, {
                limits: opts.limits?.attester
              })

              break
            }
            case 5: {
              yield {
                field: `${prefix}.isApproved`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.definitionId`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AttestationProofOfTaskFieldEvent {
    field: '$.proofOfTask'
    value: string
  }

  export interface AttestationDataFieldEvent {
    field: '$.data'
    value: string
  }

  export interface AttestationPerformerAddressFieldEvent {
    field: '$.performer.address'
    value: string
  }

  export interface AttestationPerformerSignatureFieldEvent {
    field: '$.performer.signature'
    value: string
  }

  export interface AttestationAttesterAddressFieldEvent {
    field: '$.attester.address'
    value: string
  }

  export interface AttestationAttesterSignatureXFieldEvent {
    field: '$.attester.signature.x'
    value: string
  }

  export interface AttestationAttesterSignatureYFieldEvent {
    field: '$.attester.signature.y'
    value: string
  }

  export interface AttestationIsApprovedFieldEvent {
    field: '$.isApproved'
    value: boolean
  }

  export interface AttestationDefinitionIdFieldEvent {
    field: '$.definitionId'
    value: number
  }

  export function encode (obj: Partial<Attestation>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Attestation.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attestation>): Attestation {
    return decodeMessage(buf, Attestation.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Attestation>): Generator<AttestationProofOfTaskFieldEvent | AttestationDataFieldEvent | AttestationPerformerAddressFieldEvent | AttestationPerformerSignatureFieldEvent | AttestationAttesterAddressFieldEvent | AttestationAttesterSignatureXFieldEvent | AttestationAttesterSignatureYFieldEvent | AttestationIsApprovedFieldEvent | AttestationDefinitionIdFieldEvent> {
    return streamMessage(buf, Attestation.codec(), opts)
  }
}

export interface TaskSubmitted {
  taskId: string
  txHash: string
  performerAddress: string
  operatorIds: number[]
  definitionId: number
  isApproved: boolean
}

export namespace TaskSubmitted {
  let _codec: Codec<TaskSubmitted>

  export const codec = (): Codec<TaskSubmitted> => {
    if (_codec == null) {
      _codec = message<TaskSubmitted>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.txHash != null && obj.txHash !== '')) {
          w.uint32(18)
          w.string(obj.txHash)
        }

        if ((obj.performerAddress != null && obj.performerAddress !== '')) {
          w.uint32(26)
          w.string(obj.performerAddress)
        }

        if (obj.operatorIds != null && obj.operatorIds.length > 0) {
          for (const value of obj.operatorIds) {
            w.uint32(32)
            w.uint32(value)
          }
        }

        if ((obj.definitionId != null && obj.definitionId !== 0)) {
          w.uint32(40)
          w.uint32(obj.definitionId)
        }

        if ((obj.isApproved != null && obj.isApproved !== false)) {
          w.uint32(48)
          w.bool(obj.isApproved)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          txHash: '',
          performerAddress: '',
          operatorIds: [],
          definitionId: 0,
          isApproved: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.txHash = reader.string()
              break
            }
            case 3: {
              obj.performerAddress = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.operatorIds != null && obj.operatorIds.length === opts.limits.operatorIds) {
                throw new MaxLengthError('Decode error - repeated field "operatorIds" had too many elements')
              }

              obj.operatorIds.push(reader.uint32())
              break
            }
            case 5: {
              obj.definitionId = reader.uint32()
              break
            }
            case 6: {
              obj.isApproved = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          operatorIds: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.txHash`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.performerAddress`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.operatorIds != null && obj.operatorIds === opts.limits.operatorIds) {
                throw new MaxLengthError('Streaming decode error - repeated field "operatorIds" had too many elements')
              }

              yield {
                field: `${prefix}.operatorIds[]`,
                index: obj.operatorIds,
                value: reader.uint32()
              }

              obj.operatorIds++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.definitionId`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.isApproved`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TaskSubmittedTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskSubmittedTxHashFieldEvent {
    field: '$.txHash'
    value: string
  }

  export interface TaskSubmittedPerformerAddressFieldEvent {
    field: '$.performerAddress'
    value: string
  }

  export interface TaskSubmittedOperatorIdsFieldEvent {
    field: '$.operatorIds[]'
    index: number
    value: number
  }

  export interface TaskSubmittedDefinitionIdFieldEvent {
    field: '$.definitionId'
    value: number
  }

  export interface TaskSubmittedIsApprovedFieldEvent {
    field: '$.isApproved'
    value: boolean
  }

  export function encode (obj: Partial<TaskSubmitted>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskSubmitted.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSubmitted>): TaskSubmitted {
    return decodeMessage(buf, TaskSubmitted.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskSubmitted>): Generator<TaskSubmittedTaskIdFieldEvent | TaskSubmittedTxHashFieldEvent | TaskSubmittedPerformerAddressFieldEvent | TaskSubmittedOperatorIdsFieldEvent | TaskSubmittedDefinitionIdFieldEvent | TaskSubmittedIsApprovedFieldEvent> {
    return streamMessage(buf, TaskSubmitted.codec(), opts)
  }
}

export interface CustomMessage {
  data: string
}

export namespace CustomMessage {
  let _codec: Codec<CustomMessage>

  export const codec = (): Codec<CustomMessage> => {
    if (_codec == null) {
      _codec = message<CustomMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data !== '')) {
          w.uint32(10)
          w.string(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.data = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.data`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CustomMessageDataFieldEvent {
    field: '$.data'
    value: string
  }

  export function encode (obj: Partial<CustomMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CustomMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CustomMessage>): CustomMessage {
    return decodeMessage(buf, CustomMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CustomMessage>): Generator<CustomMessageDataFieldEvent> {
    return streamMessage(buf, CustomMessage.codec(), opts)
  }
}

export interface AuthRequest {
  challenge: Uint8Array<ArrayBuffer>
}

export namespace AuthRequest {
  let _codec: Codec<AuthRequest>

  export const codec = (): Codec<AuthRequest> => {
    if (_codec == null) {
      _codec = message<AuthRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.challenge != null && obj.challenge.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.challenge)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          challenge: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.challenge = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.challenge`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AuthRequestChallengeFieldEvent {
    field: '$.challenge'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<AuthRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AuthRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthRequest>): AuthRequest {
    return decodeMessage(buf, AuthRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthRequest>): Generator<AuthRequestChallengeFieldEvent> {
    return streamMessage(buf, AuthRequest.codec(), opts)
  }
}

export interface AuthResponse {
  address: string
  operatorId: number
  challenge: Uint8Array<ArrayBuffer>
  signature?: G1Signature
}

export namespace AuthResponse {
  let _codec: Codec<AuthResponse>

  export const codec = (): Codec<AuthResponse> => {
    if (_codec == null) {
      _codec = message<AuthResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.address != null && obj.address !== '')) {
          w.uint32(10)
          w.string(obj.address)
        }

        if ((obj.operatorId != null && obj.operatorId !== 0)) {
          w.uint32(16)
          w.uint32(obj.operatorId)
        }

        if ((obj.challenge != null && obj.challenge.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.challenge)
        }

        if (obj.signature != null) {
          w.uint32(34)
          G1Signature.codec().encode(obj.signature, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          address: '',
          operatorId: 0,
          challenge: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.address = reader.string()
              break
            }
            case 2: {
              obj.operatorId = reader.uint32()
              break
            }
            case 3: {
              obj.challenge = reader.bytes()
              break
            }
            case 4: {
              obj.signature = G1Signature.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signature
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.address`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.operatorId`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.challenge`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield * G1Signature.codec().stream(reader, reader.uint32(), `${prefix}.signature`, {
                limits: opts.limits?.signature
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AuthResponseAddressFieldEvent {
    field: '$.address'
    value: string
  }

  export interface AuthResponseOperatorIdFieldEvent {
    field: '$.operatorId'
    value: number
  }

  export interface AuthResponseChallengeFieldEvent {
    field: '$.challenge'
    value: Uint8Array<ArrayBuffer>
  }

  export interface AuthResponseSignatureXFieldEvent {
    field: '$.signature.x'
    value: string
  }

  export interface AuthResponseSignatureYFieldEvent {
    field: '$.signature.y'
    value: string
  }

  export function encode (obj: Partial<AuthResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AuthResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthResponse>): AuthResponse {
    return decodeMessage(buf, AuthResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AuthResponse>): Generator<AuthResponseAddressFieldEvent | AuthResponseOperatorIdFieldEvent | AuthResponseChallengeFieldEvent | AuthResponseSignatureXFieldEvent | AuthResponseSignatureYFieldEvent> {
    return streamMessage(buf, AuthResponse.codec(), opts)
  }
}
