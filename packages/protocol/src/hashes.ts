import { type Address, encodeAbiParameters, type Hex, keccak256, stringToHex } from 'viem'

/** keccak("TasksManager"): the BLS domain of performer task signatures and attester votes (PROTOCOL.md §1). */
export const DOMAIN_TASKS: Hex = keccak256(stringToHex('TasksManager'))
/** keccak("OthenticBLSAuth"): the BLS domain of proofs of possession and operator auth (PROTOCOL.md §1). */
export const DOMAIN_AUTH: Hex = keccak256(stringToHex('OthenticBLSAuth'))

/** The task as the AttestationCenter's `TaskInfo` struct (field order is ABI-relevant). */
export interface TaskInfo {
  proofOfTask: string
  /** 0x-hex bytes */
  data: Hex
  taskPerformer: Address
  /** uint16 */
  taskDefinitionId: number
}

const TASK_PARAMS = [
  { type: 'string' },
  { type: 'bytes' },
  { type: 'address' },
  { type: 'uint16' },
] as const

const VOTE_PARAMS = [...TASK_PARAMS, { type: 'address' }, { type: 'uint256' }, { type: 'bool' }] as const

/** `keccak(abi.encode(proofOfTask, data, taskPerformer, taskDefinitionId))` — PROTOCOL.md §1. */
export function taskHash(task: TaskInfo): Hex {
  return keccak256(
    encodeAbiParameters(TASK_PARAMS, [task.proofOfTask, task.data, task.taskPerformer, task.taskDefinitionId]),
  )
}

/** Binds a vote to one task, one verdict, one contract on one chain. */
export interface VoteContext {
  attestationCenter: Address
  chainId: bigint | number
  isApproved: boolean
}

/** `keccak(abi.encode(task…, attestationCenter, chainId, isApproved))` — PROTOCOL.md §1. */
export function voteHash(task: TaskInfo, vote: VoteContext): Hex {
  return keccak256(
    encodeAbiParameters(VOTE_PARAMS, [
      task.proofOfTask,
      task.data,
      task.taskPerformer,
      task.taskDefinitionId,
      vote.attestationCenter,
      BigInt(vote.chainId),
      vote.isApproved,
    ]),
  )
}

/**
 * `keccak(abi.encode(operator, contract, chainId))`: the message of a BLS proof of possession
 * (PROTOCOL.md §2). `contract` is the registry for registration, the AttestationCenter for `updateBlsKey`.
 */
export function authHash(params: { operator: Address; contract: Address; chainId: bigint | number }): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'uint256' }],
      [params.operator, params.contract, BigInt(params.chainId)],
    ),
  )
}
