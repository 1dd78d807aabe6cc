// One interface over the contract sets a node can read its operators and task definitions from:
// Wisp's own (AttestationCenter + OperatorRegistry) and an Othentic deployment (AttestationCenter +
// OBLS). The engine's port and the network layer's directory read through it, cached (cache.ts).
import type { Address } from 'viem'
import type { OperatorRecord, TaskDefinitionRecord } from '../actions/read.js'

export type ChainBackendKind = 'wisp' | 'othentic'
/** What a caller may ask for: a backend, or 'auto' to detect it from the AttestationCenter. */
export type ChainBackendOption = ChainBackendKind | 'auto'

export const CHAIN_BACKEND_KINDS: readonly ChainBackendKind[] = ['wisp', 'othentic']

export interface ChainBackend {
  readonly kind: ChainBackendKind
  readonly attestationCenter: Address
  /** where keys and voting power live: Wisp's OperatorRegistry or Othentic's OBLS (both `obls()`) */
  readonly registry: Address
  /** the contracts whose events can change what this backend reads (watched by the cache) */
  readonly watched: readonly Address[]
  /**
   * The operators, read at one block. Wisp: every operator ever registered (inactive ones with
   * `active: false`). Othentic: the active ones only (an inactive id has no readable key there).
   */
  getOperators(): Promise<OperatorRecord[]>
  /** The id of a registered operator; undefined when the address is not one. */
  getOperatorId(address: Address): Promise<number | undefined>
  /** The voting power of all active operators (the threshold's network total). */
  getNetworkTotal(): Promise<bigint>
  /** Every stored definition (0, the default, through the last created), with its total. */
  getTaskDefinitions(): Promise<TaskDefinitionRecord[]>
  /** One definition, uncached; internal tasks (10001, 10002) as open rules; undefined when unknown. */
  getTaskDefinition(id: number): Promise<TaskDefinitionRecord | undefined>
}
