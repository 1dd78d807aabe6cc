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
 * True when `signature` is a well-formed, contract-acceptable ECDSA signature by
 * `task.taskPerformer`. Never throws: a malformed signature is simply not valid.
 */
export async function isValidEcdsaPerformerSignature(task: TaskInfo, signature: unknown): Promise<boolean> {
  try {
    return isAddressEqual(await recoverEcdsaPerformer(task, signature as Hex), task.taskPerformer)
  } catch {
    return false
  }
}
