import { type Address, bytesToHex, encodeAbiParameters, type Hex, keccak256, stringToHex } from 'viem'
import { checkHexBytes } from './check.js'
import { ProtocolError } from './codes.js'

/** keccak("TasksManager"): the BLS domain of performer task signatures and attester votes (docs/protocol.md §1). */
export const DOMAIN_TASKS: Hex = keccak256(stringToHex('TasksManager'))
/** keccak("OthenticBLSAuth"): the BLS domain of proofs of possession and operator auth (docs/protocol.md §1). */
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

const TASK_PARAMS = [{ type: 'string' }, { type: 'bytes' }, { type: 'address' }, { type: 'uint16' }] as const

const VOTE_PARAMS = [...TASK_PARAMS, { type: 'address' }, { type: 'uint256' }, { type: 'bool' }] as const

/** viem pastes a non-hex `bytes` value into its output unchecked, so hashes would silently differ. */
function hexBytes(value: unknown, what: string): Hex {
  const checked = checkHexBytes(value, Number.MAX_SAFE_INTEGER)
  if (checked.ok) return checked.value
  throw new ProtocolError('INVALID_VALUE', `cannot hash ${what}: ${checked.reason}`, {
    details: { kind: what, reason: checked.reason },
  })
}

/** keccak of an ABI encoding; a value viem cannot encode becomes a coded INVALID_VALUE, not a viem error. */
function hashEncoded(what: string, encode: () => Hex): Hex {
  let encoded: Hex
  try {
    encoded = encode()
  } catch (err) {
    throw new ProtocolError(
      'INVALID_VALUE',
      `cannot hash ${what}: ${err instanceof Error ? err.message : String(err)}`,
      {
        details: { kind: what },
        cause: err,
      },
    )
  }
  return keccak256(encoded)
}

/**
 * Every peer hashes the same task many times: once per vote it sees, in several checks each, and
 * an aggregator once per vote again. ABI-encoding and keccak of a task of a few KiB cost tens of
 * microseconds in JavaScript; looking the same text up in a Map costs well under one. The key
 * is the hashed fields themselves, length-prefixed so that no two tasks share one.
 */
const HASH_MEMO_MAX = 4096
const hashMemo = new Map<string, Hex>()

function memoized(key: string, hash: () => Hex): Hex {
  const known = hashMemo.get(key)
  if (known !== undefined) return known
  const value = hash() // throws for a value that cannot be hashed: nothing is remembered
  // Map order is insertion order: the oldest entry goes first
  if (hashMemo.size >= HASH_MEMO_MAX) hashMemo.delete(hashMemo.keys().next().value!)
  hashMemo.set(key, value)
  return value
}

/** One field of a memo key: its type and length first, so that no two field lists share a key. */
function field(value: unknown): string {
  const text = String(value)
  return `${typeof value}:${text.length}:${text}`
}

function taskKey(task: TaskInfo): string {
  return field(task.taskDefinitionId) + field(task.taskPerformer) + field(task.data) + field(task.proofOfTask)
}

/** `keccak(abi.encode(proofOfTask, data, taskPerformer, taskDefinitionId))` — docs/protocol.md §1. */
export function taskHash(task: TaskInfo): Hex {
  return memoized(`task|${taskKey(task)}`, () => {
    const data = hexBytes(task.data, 'task data')
    return hashEncoded('task', () =>
      encodeAbiParameters(TASK_PARAMS, [task.proofOfTask, data, task.taskPerformer, task.taskDefinitionId]),
    )
  })
}

/** Binds a vote to one task, one verdict, one contract on one chain. */
export interface VoteContext {
  attestationCenter: Address
  chainId: bigint | number
  isApproved: boolean
}

/** `keccak(abi.encode(task…, attestationCenter, chainId, isApproved))` — docs/protocol.md §1. */
export function voteHash(task: TaskInfo, vote: VoteContext): Hex {
  const context = field(vote.attestationCenter) + field(vote.chainId) + field(vote.isApproved)
  return memoized(`vote|${context}${taskKey(task)}`, () => {
    const data = hexBytes(task.data, 'task data')
    return hashEncoded('vote', () =>
      encodeAbiParameters(VOTE_PARAMS, [
        task.proofOfTask,
        data,
        task.taskPerformer,
        task.taskDefinitionId,
        vote.attestationCenter,
        BigInt(vote.chainId),
        vote.isApproved,
      ]),
    )
  })
}

/**
 * `keccak(abi.encode(operator, contract, chainId))`: the message of a BLS proof of possession
 * (docs/protocol.md §2). `contract` is the registry for registration, the AttestationCenter for `updateBlsKey`.
 */
export function authHash(params: { operator: Address; contract: Address; chainId: bigint | number }): Hex {
  return hashEncoded('auth message', () =>
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'uint256' }],
      [params.operator, params.contract, BigInt(params.chainId)],
    ),
  )
}

/** Label inside {@link authChallengeHash}; bump the version if the preimage ever changes. */
export const AUTH_CHALLENGE_LABEL = 'wisp/p2p-auth/v1'

/**
 * Wisp's p2p auth message (Othentic's own auth flow is not public, docs/protocol.md §5):
 * `keccak(abi.encode(string label, bytes challenge, address operator, string peerId))`, signed
 * with BLS under DOMAIN_AUTH like a proof of possession. `peerId` is the responder's libp2p peer
 * id, so a signature obtained on one connection cannot be replayed by another peer. The
 * preimage has dynamic fields and is always longer than the 96-byte {@link authHash} preimage,
 * so an auth answer can never double as a proof of possession.
 */
export function authChallengeHash(params: {
  challenge: Uint8Array | Hex
  operator: Address
  peerId: string
}): Hex {
  const challenge =
    typeof params.challenge === 'string' ? hexBytes(params.challenge, 'auth challenge') : params.challenge
  return hashEncoded('auth challenge', () =>
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'bytes' }, { type: 'address' }, { type: 'string' }],
      [
        AUTH_CHALLENGE_LABEL,
        typeof challenge === 'string' ? challenge : bytesToHex(challenge),
        params.operator,
        params.peerId,
      ],
    ),
  )
}
