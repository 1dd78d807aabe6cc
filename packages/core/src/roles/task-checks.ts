// The checks a task must pass before anyone votes on it, in one place: the attester runs them on
// every gossiped task, and `sendTask` runs them before it publishes one (a task that honest
// attesters would refuse, published anyway, only gets its publisher scored down).
import type { BlsVerifier } from '@wisp/bls'
import {
  DOMAIN_TASKS,
  isValidEcdsaPerformerSignature,
  type PerformerSignature,
  type TaskInfo,
  taskHash,
  writeWord,
} from '@wisp/protocol'
import { hexToBytes } from 'viem'
import type { PluginRegistry } from '../plugins/registry.js'
import type { ChainPort, OperatorRecord } from '../ports.js'
import { type ElectionOptions, isElectedPerformer } from './election.js'

/**
 * Was the task's performer elected within the last `windowBlocks` blocks? 0 turns the check off
 * (an AVS whose own performer service is not elected by Wisp).
 */
export async function performerWasElected(
  c: { chain: ChainPort; registry: PluginRegistry },
  options: ElectionOptions & { windowBlocks: bigint },
  task: TaskInfo,
  operators: readonly OperatorRecord[],
): Promise<boolean> {
  if (options.windowBlocks === 0n) return true
  const head = await c.chain.getBlockNumber()
  return isElectedPerformer(c.registry, options, {
    operators,
    taskDefinitionId: task.taskDefinitionId,
    fromBlock: head >= options.windowBlocks ? head - options.windowBlocks : 0n,
    toBlock: head,
    address: task.taskPerformer,
  })
}

/**
 * Does the signature match the performer: ECDSA recovers to its address, BLS verifies against its
 * registered key (the verifier decodes the point: off the curve or outside the subgroup is
 * invalid, never an exception)?
 */
export async function performerSignatureValid(
  verifier: BlsVerifier,
  task: TaskInfo,
  signature: PerformerSignature,
  performerKey: Uint8Array,
): Promise<boolean> {
  if (signature.type === 'ecdsa') return isValidEcdsaPerformerSignature(task, signature.signature)
  const words = new Uint8Array(64)
  writeWord(words, 0, signature.signature.x)
  writeWord(words, 32, signature.signature.y)
  const outcome = await verifier.verify({
    domain: hexToBytes(DOMAIN_TASKS),
    digest: hexToBytes(taskHash(task)),
    publicKey: performerKey,
    signature: words,
  })
  return outcome.ok && outcome.valid
}
