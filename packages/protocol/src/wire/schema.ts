import type { WireKind } from './types.js'

/**
 * The field layout of messages.proto, for the structural pre-scan (scan.ts). protons' decoder
 * ignores wire types and accepts duplicates, so this table is what lets us refuse such input.
 * Keep it in sync with messages.proto (a test compares them).
 */
export type FieldType = 'string' | 'bytes' | 'uint32' | 'bool' | 'message'

export interface FieldSpec {
  name: string
  type: FieldType
  /** Only scalar fields of top-level messages may repeat (scan.ts strips their packed form). */
  repeated?: true
  message?: MessageSchema
}

export interface MessageSchema {
  name: string
  fields: Readonly<Record<number, FieldSpec>>
}

const G1_SIGNATURE: MessageSchema = {
  name: 'G1Signature',
  fields: { 1: { name: 'x', type: 'string' }, 2: { name: 'y', type: 'string' } },
}

const PERFORMER_INFO: MessageSchema = {
  name: 'PerformerInfo',
  fields: { 1: { name: 'address', type: 'string' }, 2: { name: 'signature', type: 'string' } },
}

const ATTESTER_INFO: MessageSchema = {
  name: 'AttesterInfo',
  fields: {
    1: { name: 'address', type: 'string' },
    2: { name: 'signature', type: 'message', message: G1_SIGNATURE },
  },
}

export const WIRE_SCHEMAS: Readonly<Record<WireKind, MessageSchema>> = {
  task: {
    name: 'Task',
    fields: {
      1: { name: 'signature', type: 'string' },
      2: { name: 'performer', type: 'string' },
      3: { name: 'proofOfTask', type: 'string' },
      4: { name: 'data', type: 'string' },
      5: { name: 'definitionId', type: 'uint32' },
    },
  },
  attestation: {
    name: 'Attestation',
    fields: {
      1: { name: 'proofOfTask', type: 'string' },
      2: { name: 'data', type: 'string' },
      3: { name: 'performer', type: 'message', message: PERFORMER_INFO },
      4: { name: 'attester', type: 'message', message: ATTESTER_INFO },
      5: { name: 'isApproved', type: 'bool' },
      6: { name: 'definitionId', type: 'uint32' },
    },
  },
  taskSubmitted: {
    name: 'TaskSubmitted',
    fields: {
      1: { name: 'taskId', type: 'string' },
      2: { name: 'txHash', type: 'string' },
      3: { name: 'performerAddress', type: 'string' },
      4: { name: 'operatorIds', type: 'uint32', repeated: true },
      5: { name: 'definitionId', type: 'uint32' },
      6: { name: 'isApproved', type: 'bool' },
    },
  },
  customMessage: {
    name: 'CustomMessage',
    fields: { 1: { name: 'data', type: 'string' } },
  },
  authRequest: {
    name: 'AuthRequest',
    fields: { 1: { name: 'challenge', type: 'bytes' } },
  },
  authResponse: {
    name: 'AuthResponse',
    fields: {
      1: { name: 'address', type: 'string' },
      2: { name: 'operatorId', type: 'uint32' },
      3: { name: 'challenge', type: 'bytes' },
      4: { name: 'signature', type: 'message', message: G1_SIGNATURE },
    },
  },
}
