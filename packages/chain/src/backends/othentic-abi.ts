// The parts of an Othentic v2 deployment's L2 surface that a node reads, declared here from the
// signatures documented in shared/spec/OTHENTIC-INTEROP.md §1 (never from Othentic's sources).
// `as const` so that viem types the reads.

/** AttestationCenter views a node needs (and the two that tell the deployment apart from Wisp's). */
export const othenticAttestationCenterAbi = [
  { type: 'function', name: 'obls', stateMutability: 'view', inputs: [], outputs: [{ type: 'address' }] },
  {
    type: 'function',
    name: 'taskNumber',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint32' }],
  },
  {
    type: 'function',
    name: 'numOfTaskDefinitions',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint16' }],
  },
  {
    type: 'function',
    name: 'numOfTotalOperators',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'numOfActiveOperators',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'operatorsIdsByAddress',
    stateMutability: 'view',
    inputs: [{ name: 'operator', type: 'address' }],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'getActiveOperatorsDetails',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        type: 'tuple[]',
        components: [
          { name: 'operator', type: 'address' },
          { name: 'operatorId', type: 'uint256' },
          { name: 'votingPower', type: 'uint256' },
          { name: 'feeToClaim', type: 'uint256' },
        ],
      },
    ],
  },
  {
    type: 'function',
    name: 'getTaskDefinitionMinimumVotingPower',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint16' }],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'getTaskDefinitionRestrictedAttesters',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint16' }],
    outputs: [{ type: 'uint256[]' }],
  },
  {
    type: 'function',
    name: 'getTaskDefinitionMaximumNumberOfAttesters',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint16' }],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'event',
    name: 'TaskDefinitionCreated',
    inputs: [
      { name: 'taskDefinitionId', type: 'uint16', indexed: false },
      { name: 'name', type: 'string', indexed: false },
      { name: 'blockExpiry', type: 'uint256', indexed: false },
      { name: 'baseRewardFeeForAttesters', type: 'uint256', indexed: false },
      { name: 'baseRewardFeeForPerformer', type: 'uint256', indexed: false },
      { name: 'baseRewardFeeForAggregator', type: 'uint256', indexed: false },
      { name: 'disputePeriodBlocks', type: 'uint256', indexed: false },
      { name: 'minimumVotingPower', type: 'uint256', indexed: false },
      { name: 'restrictedAttesterIds', type: 'uint256[]', indexed: false },
      { name: 'maximumNumberOfAttesters', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'RewardAccumulated',
    inputs: [
      { name: 'operatorId', type: 'uint256', indexed: true },
      { name: 'fee', type: 'uint256', indexed: false },
      { name: 'taskNumber', type: 'uint32', indexed: true },
    ],
  },
  {
    type: 'error',
    name: 'OperatorNotRegistered',
    inputs: [{ name: 'operator', type: 'address' }],
  },
] as const

/** OBLS views: keys, activity, voting power, totals. */
export const othenticOblsAbi = [
  {
    type: 'function',
    name: 'totalVotingPower',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'totalVotingPowerPerTaskDefinition',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint256' }],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'votingPower',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint256' }],
    outputs: [{ type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'isActive',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint256' }],
    outputs: [{ type: 'bool' }],
  },
  {
    type: 'function',
    name: 'getOperatorBLSPubKey',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'uint256' }],
    outputs: [{ type: 'uint256[4]' }],
  },
] as const

/** The v1 outcome events: nothing indexed, no `attestersIds`, so another topic0 than v2's. */
export const taskSubmittedV1EventAbi = {
  type: 'event',
  name: 'TaskSubmitted',
  inputs: [
    { name: 'operator', type: 'address', indexed: false },
    { name: 'taskNumber', type: 'uint32', indexed: false },
    { name: 'proofOfTask', type: 'string', indexed: false },
    { name: 'data', type: 'bytes', indexed: false },
    { name: 'taskDefinitionId', type: 'uint16', indexed: false },
  ],
} as const

export const taskRejectedV1EventAbi = { ...taskSubmittedV1EventAbi, name: 'TaskRejected' } as const
