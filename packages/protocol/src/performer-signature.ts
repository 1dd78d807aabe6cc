import { type Address, type Hex, isAddressEqual, recoverAddress } from 'viem'
import { ProtocolError } from './codes.js'
import { type TaskInfo, taskHash } from './hashes.js'
import { checkEcdsaSignature } from './signatures.js'

/**
 * The address that produced an ECDSA performer signature over the RAW taskHash (no EIP-191
 * prefix), as the contract recovers it. Throws INVALID_VALUE for a signature that is not
 * contract-acceptable (see checkEcdsaSignature) or does not recover.
 */
export async function recoverEcdsaPerformer(task: TaskInfo, signature: Hex): Promise<Address> {
  const hash = taskHash(task)
  const checked = checkEcdsaSignature(signature)
  const fail = (reason: string, cause?: unknown) =>
    new ProtocolError('INVALID_VALUE', `invalid ECDSA signature: ${reason}`, {
      details: { kind: 'ECDSA signature', reason },
      cause,
    })
  if (!checked.ok) throw fail(checked.reason)
  try {
    return await recoverAddress({ hash, signature: checked.value })
  } catch (err) {
    throw fail('does not recover', err)
  }
}

/**
 * Recovery costs ~2 ms in JavaScript, and every peer meets the same performer signature once per
 * copy of the task and once per vote on it (each vote carries it): the answers, a pure function of
 * task and signature, are remembered.
 */
const VALIDITY_MEMO_MAX = 4096
const validityMemo = new Map<string, boolean>()

/**
 * True when `signature` is a well-formed, contract-acceptable ECDSA signature by
 * `task.taskPerformer`. Never throws: a malformed signature is simply not valid.
 */
export async function isValidEcdsaPerformerSignature(task: TaskInfo, signature: unknown): Promise<boolean> {
  let key: string
  try {
    key = `${taskHash(task)}|${task.taskPerformer.toLowerCase()}|${String(signature).toLowerCase()}`
  } catch {
    return false // a task that cannot be hashed has no valid signature
  }
  const known = validityMemo.get(key)
  if (known !== undefined) return known
  let valid: boolean
  try {
    valid = isAddressEqual(await recoverEcdsaPerformer(task, signature as Hex), task.taskPerformer)
  } catch {
    valid = false
  }
  if (validityMemo.size >= VALIDITY_MEMO_MAX) validityMemo.delete(validityMemo.keys().next().value!)
  validityMemo.set(key, valid)
  return valid
}
