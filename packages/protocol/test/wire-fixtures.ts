import type { Hex } from 'viem'
import type {
  WireAttestation,
  WireAuthRequest,
  WireAuthResponse,
  WireCustomMessage,
  WireKind,
  WireMessageMap,
  WireTask,
  WireTaskSubmitted,
} from '../src/index.js'
import { vectors } from './helpers.js'

export const PERFORMER = vectors.task.taskPerformer as Hex
export const ATTESTER = '0x2222222222222222222222222222222222222222' as Hex
export const ECDSA_SIG = vectors.task.ecdsaPerformerSignature as Hex
export const BLS_SIG = {
  x: BigInt(vectors.task.blsPerformerSignature[0]!),
  y: BigInt(vectors.task.blsPerformerSignature[1]!),
}

export const task: WireTask = {
  proofOfTask: vectors.task.proofOfTask,
  data: vectors.task.data as Hex,
  performer: PERFORMER,
  definitionId: 7,
  signature: { type: 'ecdsa', signature: ECDSA_SIG },
}

export const attestation: WireAttestation = {
  proofOfTask: vectors.task.proofOfTask,
  data: vectors.task.data as Hex,
  performer: { address: PERFORMER, signature: { type: 'bls', signature: BLS_SIG } },
  attester: { address: ATTESTER, signature: BLS_SIG },
  isApproved: true,
  definitionId: 3,
}

export const taskSubmitted: WireTaskSubmitted = {
  taskId: '42',
  txHash: `0x${'ab'.repeat(32)}`,
  performerAddress: PERFORMER,
  operatorIds: [1, 2, 300, 70000],
  definitionId: 65535,
  isApproved: false,
}

export const customMessage: WireCustomMessage = { data: '0xdeadbeef' }
export const authRequest: WireAuthRequest = { challenge: new Uint8Array(32).map((_, i) => i) }
export const authResponse: WireAuthResponse = {
  address: ATTESTER,
  operatorId: 5,
  challenge: new Uint8Array(32).map((_, i) => 255 - i),
  signature: BLS_SIG,
}

export const SAMPLES: { [K in WireKind]: WireMessageMap[K] } = {
  task,
  attestation,
  taskSubmitted,
  customMessage,
  authRequest,
  authResponse,
}

export const PROTO_NAMES: Record<WireKind, string> = {
  task: 'Task',
  attestation: 'Attestation',
  taskSubmitted: 'TaskSubmitted',
  customMessage: 'CustomMessage',
  authRequest: 'AuthRequest',
  authResponse: 'AuthResponse',
}

// Hand-built protobuf, for inputs no encoder would produce.
export function varint(n: number | bigint): number[] {
  let v = BigInt(n)
  const out: number[] = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return out
}

export function tag(fieldNo: number, wireType: number): number[] {
  return varint(fieldNo * 8 + wireType)
}

export function lenField(fieldNo: number, payload: Uint8Array | number[] | string): number[] {
  const bytes = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : [...payload]
  return [...tag(fieldNo, 2), ...varint(bytes.length), ...bytes]
}

export function varintField(fieldNo: number, value: number | bigint): number[] {
  return [...tag(fieldNo, 0), ...varint(value)]
}

export function bytes(...parts: number[][]): Uint8Array {
  return new Uint8Array(parts.flat())
}

/** A valid Task, field by field, so tests can swap single fields. */
export function taskFields(
  overrides: Partial<Record<'signature' | 'performer' | 'proofOfTask' | 'data', string>> = {},
) {
  return [
    lenField(1, overrides.signature ?? ECDSA_SIG),
    lenField(2, overrides.performer ?? PERFORMER),
    lenField(3, overrides.proofOfTask ?? 'QmTestCid'),
    lenField(4, overrides.data ?? '0x68656c6c6f'),
  ]
}
