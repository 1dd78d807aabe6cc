import { type Address, type Hex, isAddressEqual, recoverAddress } from 'viem'
import { type TaskInfo, taskHash } from './hashes.js'
import { checkEcdsaSignature } from './signatures.js'

/**
 * The address that produced an ECDSA performer signature over the RAW taskHash (no EIP-191
 * prefix), as the contract recovers it. Throws viem's error on an unrecoverable signature.
 */
export async function recoverEcdsaPerformer(task: TaskInfo, signature: Hex): Promise<Address> {
  return recoverAddress({ hash: taskHash(task), signature })
}

/**
 * True when `signature` is a well-formed, contract-acceptable ECDSA signature by
 * `task.taskPerformer`. Never throws: a malformed signature is simply not valid.
 */
export async function isValidEcdsaPerformerSignature(task: TaskInfo, signature: unknown): Promise<boolean> {
  const checked = checkEcdsaSignature(signature)
  if (!checked.ok) return false
  try {
    return isAddressEqual(await recoverEcdsaPerformer(task, checked.value), task.taskPerformer)
  } catch {
    return false
  }
}
