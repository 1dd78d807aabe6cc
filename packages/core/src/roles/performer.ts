// The performer: on a trigger (interval, new blocks, a custom message), checks it is the elected
// leader for the slot — with the attesters' own check (election.ts) — runs the plugin's execute,
// signs the taskHash (raw-hash ECDSA or BLS, docs/protocol.md §3 step 3) and gossips the Task through
// the one publish path (publish.ts) that engine.sendTask uses too.
import { DOMAIN_TASKS, type PerformerSignature, readWord, type TaskInfo, taskHash } from '@wisp/protocol'
import { bytesToHex, hexToBytes } from 'viem'
import { CoreError } from '../errors.js'
import type { EventBus } from '../events.js'
import type { OperatorView } from '../operators.js'
import type { PluginRegistry } from '../plugins/registry.js'
import type { BlsSignerPort, ChainPort, EcdsaSignerPort, GossipPort, Logger, MetricsPort } from '../ports.js'
import { type ElectionOptions, isElectedPerformer } from './election.js'
import { type PublishedTask, publishTask } from './publish.js'
import type { Republisher } from './republisher.js'

type Address = `0x${string}`

export interface PerformerOptions extends ElectionOptions {
  operatorAddress: Address
  /** task definitions this performer produces tasks for (each needs a registered plugin) */
  taskDefinitionIds: readonly number[]
  signatureType: 'ecdsa' | 'bls'
  /** run every this many ms (0 = off) */
  intervalMs: number
  /** run when the chain advances by this many blocks (0 = off); polled every `blockPollMs` */
  everyBlocks: number
  blockPollMs: number
  /** also run when a custom message arrives */
  onCustomMessage: boolean
  /** skip the leader check (single-performer AVSs, tests of misbehaviour) */
  ignoreElection: boolean
}

export const DEFAULT_PERFORMER_OPTIONS: Omit<PerformerOptions, 'operatorAddress' | 'taskDefinitionIds'> = {
  signatureType: 'ecdsa',
  intervalMs: 0,
  everyBlocks: 0,
  blockPollMs: 1000,
  onCustomMessage: false,
  ignoreElection: false,
}

export interface PerformerComponents {
  gossip: GossipPort
  chain: ChainPort
  operators: OperatorView
  registry: PluginRegistry
  ecdsa?: EcdsaSignerPort
  bls?: BlsSignerPort
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  /** keeps published tasks until they are settled on chain (see republisher.ts) */
  republisher?: Republisher
}

export class Performer {
  readonly #options: PerformerOptions
  readonly #c: PerformerComponents
  readonly #timers: Array<ReturnType<typeof setInterval>> = []
  readonly #unsubscribe: Array<() => void> = []
  #lastBlock: bigint | undefined
  #running = false
  #stopping = new AbortController()

  constructor(options: PerformerOptions, components: PerformerComponents) {
    if (options.signatureType === 'ecdsa' && components.ecdsa === undefined) {
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'an ECDSA performer needs an ECDSA signer')
    }
    if (options.signatureType === 'bls' && components.bls === undefined) {
      throw new CoreError('ENGINE_INVALID_OPTIONS', 'a BLS performer needs a BLS signer')
    }
    this.#options = options
    this.#c = components
  }

  start(): void {
    this.#stopping = new AbortController()
    if (this.#options.intervalMs > 0)
      this.#timers.push(setInterval(() => void this.tick('interval'), this.#options.intervalMs))
    if (this.#options.everyBlocks > 0)
      this.#timers.push(setInterval(() => void this.#pollBlocks(), this.#options.blockPollMs))
    if (this.#options.onCustomMessage) {
      this.#unsubscribe.push(
        this.#c.gossip.onMessage('customMessage', () => void this.tick('custom-message')),
      )
    }
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t)
    for (const off of this.#unsubscribe.splice(0)) off()
    this.#stopping.abort(new Error('performer stopped'))
  }

  async #pollBlocks(): Promise<void> {
    try {
      const block = await this.#c.chain.getBlockNumber()
      if (this.#lastBlock === undefined) this.#lastBlock = block
      if (block - this.#lastBlock >= BigInt(this.#options.everyBlocks)) {
        this.#lastBlock = block
        await this.tick('block')
      }
    } catch (err) {
      this.#c.logger.warn('block poll failed', { error: (err as Error).message })
    }
  }

  /** One trigger: a task per served definition where this node is the leader. Never overlaps itself. */
  async tick(trigger: string): Promise<PublishedTask[]> {
    if (this.#running) return []
    this.#running = true
    const published: PublishedTask[] = []
    try {
      for (const id of this.#options.taskDefinitionIds) {
        try {
          if (!(await this.#isLeader(id))) continue
          published.push(await this.performOnce(id, trigger))
        } catch (err) {
          this.#c.events.emit('task:perform-failed', { taskDefinitionId: id, reason: (err as Error).message })
          this.#c.metrics.increment('wisp_performer_failures_total', {
            code: (err as { code?: string }).code ?? 'UNEXPECTED',
          })
        }
      }
    } finally {
      this.#running = false
    }
    return published
  }

  async #isLeader(taskDefinitionId: number): Promise<boolean> {
    if (this.#options.ignoreElection) return true
    const [blockNumber, operators] = await Promise.all([
      this.#c.chain.getBlockNumber(),
      this.#c.operators.all(),
    ])
    return isElectedPerformer(this.#c.registry, this.#options, {
      operators,
      taskDefinitionId,
      fromBlock: blockNumber,
      toBlock: blockNumber,
      address: this.#options.operatorAddress,
    })
  }

  /** Executes, signs and publishes one task now, without the leader check. */
  async performOnce(taskDefinitionId: number, trigger = 'manual'): Promise<PublishedTask> {
    const result = await this.#c.registry.execute(taskDefinitionId, this.#stopping.signal)
    const task: TaskInfo = {
      proofOfTask: result.proofOfTask,
      data: bytesToHex(result.data),
      taskPerformer: this.#options.operatorAddress,
      taskDefinitionId,
    }
    return publishTask(this.#c, task, await this.sign(task), trigger)
  }

  async sign(task: TaskInfo): Promise<PerformerSignature> {
    const hash = taskHash(task)
    if (this.#options.signatureType === 'ecdsa')
      return { type: 'ecdsa', signature: await this.#c.ecdsa!.signHash(hash) }
    const sig = await this.#c.bls!.sign(hexToBytes(DOMAIN_TASKS), hexToBytes(hash))
    return { type: 'bls', signature: { x: readWord(sig, 0), y: readWord(sig, 32) } }
  }
}
