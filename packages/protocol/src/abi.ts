/**
 * The AttestationCenter's task-submission interface as viem ABI items (docs/protocol.md §3).
 * Field order and tuple types are ABI-relevant: they fix the selectors below, which must stay
 * 0xfff768e3 (ECDSA performer) and 0x8a7ce8a4 (BLS performer) for Othentic compatibility.
 */

/** `TaskInfo { string proofOfTask; bytes data; address taskPerformer; uint16 taskDefinitionId }` */
export const taskInfoAbiComponents = [
  { name: 'proofOfTask', type: 'string' },
  { name: 'data', type: 'bytes' },
  { name: 'taskPerformer', type: 'address' },
  { name: 'taskDefinitionId', type: 'uint16' },
] as const

/** `EcdsaTaskSubmissionDetails { bool isApproved; bytes tpSignature; uint256[2] taSignature; uint256[] attestersIds }` */
export const ecdsaTaskSubmissionDetailsAbiComponents = [
  { name: 'isApproved', type: 'bool' },
  { name: 'tpSignature', type: 'bytes' },
  { name: 'taSignature', type: 'uint256[2]' },
  { name: 'attestersIds', type: 'uint256[]' },
] as const

/** `BlsTaskSubmissionDetails { bool isApproved; uint256[2] tpSignature; uint256[2] taSignature; uint256[] attestersIds }` */
export const blsTaskSubmissionDetailsAbiComponents = [
  { name: 'isApproved', type: 'bool' },
  { name: 'tpSignature', type: 'uint256[2]' },
  { name: 'taSignature', type: 'uint256[2]' },
  { name: 'attestersIds', type: 'uint256[]' },
] as const

/** `submitTask(TaskInfo, EcdsaTaskSubmissionDetails)`, selector 0xfff768e3. */
export const submitTaskEcdsaAbi = {
  type: 'function',
  name: 'submitTask',
  stateMutability: 'nonpayable',
  inputs: [
    { name: '_taskInfo', type: 'tuple', components: taskInfoAbiComponents },
    { name: '_taskSubmissionDetails', type: 'tuple', components: ecdsaTaskSubmissionDetailsAbiComponents },
  ],
  outputs: [],
} as const

/** `submitTask(TaskInfo, BlsTaskSubmissionDetails)`, selector 0x8a7ce8a4. */
export const submitTaskBlsAbi = {
  type: 'function',
  name: 'submitTask',
  stateMutability: 'nonpayable',
  inputs: [
    { name: '_taskInfo', type: 'tuple', components: taskInfoAbiComponents },
    { name: '_taskSubmissionDetails', type: 'tuple', components: blsTaskSubmissionDetailsAbiComponents },
  ],
  outputs: [],
} as const

export const SUBMIT_TASK_ECDSA_SELECTOR = '0xfff768e3' as const
export const SUBMIT_TASK_BLS_SELECTOR = '0x8a7ce8a4' as const

const taskOutcomeEventInputs = [
  { name: 'operator', type: 'address', indexed: true },
  { name: 'taskNumber', type: 'uint32', indexed: false },
  { name: 'proofOfTask', type: 'string', indexed: false },
  { name: 'data', type: 'bytes', indexed: false },
  { name: 'taskDefinitionId', type: 'uint16', indexed: true },
  { name: 'attestersIds', type: 'uint256[]', indexed: false },
] as const

/** Emitted for an approved task (docs/protocol.md §3, step 8). */
export const taskSubmittedEventAbi = {
  type: 'event',
  name: 'TaskSubmitted',
  inputs: taskOutcomeEventInputs,
} as const
/** Emitted for a rejected task. */
export const taskRejectedEventAbi = {
  type: 'event',
  name: 'TaskRejected',
  inputs: taskOutcomeEventInputs,
} as const

/** The revert errors worth matching by name (docs/protocol.md §3), for viem's `decodeErrorResult`. */
export const attestationCenterErrorsAbi = [
  { type: 'error', name: 'MessageAlreadySigned', inputs: [] },
  { type: 'error', name: 'InvalidPerformerSignature', inputs: [] },
  { type: 'error', name: 'InactiveTaskPerformer', inputs: [] },
  { type: 'error', name: 'InactiveAggregator', inputs: [] },
  { type: 'error', name: 'InvalidTaskDefinition', inputs: [] },
  { type: 'error', name: 'TaskDefinitionNotFound', inputs: [{ name: 'taskDefinitionId', type: 'uint16' }] },
  {
    type: 'error',
    name: 'InvalidRestrictedAttester',
    inputs: [
      { name: 'taskDefinitionId', type: 'uint256' },
      { name: 'operatorIndex', type: 'uint256' },
    ],
  },
  { type: 'error', name: 'InvalidAttesterSet', inputs: [] },
  { type: 'error', name: 'InvalidMaximumNumberOfAttesters', inputs: [] },
  { type: 'error', name: 'InvalidOperatorIndexes', inputs: [] },
  {
    type: 'error',
    name: 'OperatorDoesNotHaveMinimumVotingPower',
    inputs: [{ name: 'operatorIndex', type: 'uint256' }],
  },
  { type: 'error', name: 'InactiveOperator', inputs: [{ name: 'operatorIndex', type: 'uint256' }] },
  { type: 'error', name: 'InsufficientVotingPower', inputs: [] },
  { type: 'error', name: 'InvalidRequiredVotingPower', inputs: [] },
  { type: 'error', name: 'InvalidOBLSSignature', inputs: [] },
] as const

/** Everything above in one ABI: enough to submit tasks, watch outcomes and decode reverts. */
export const attestationCenterProtocolAbi = [
  submitTaskEcdsaAbi,
  submitTaskBlsAbi,
  taskSubmittedEventAbi,
  taskRejectedEventAbi,
  ...attestationCenterErrorsAbi,
] as const
