// The attester: checks that a task's performer was elected and signed it, validates the work
// (plugin or external service), records the vote in slashing protection *before* signing, signs
// the voteHash with BLS and gossips the attestation.
import type { BlsVerifier } from '@wisp/bls'
import type { BaseFetch, Verdict } from '@wisp/plugin-sdk'
import {
  DOMAIN_TASKS,
  readWord,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
} from '@wisp/protocol'
import type { History, SlashingProtection } from '@wisp/storage'
import { hexToBytes } from 'viem'
import { BoundedSet } from '../bounded-set.js'
import { CoreError } from '../errors.js'
import type { EventBus } from '../events.js'
import { type InternalTasksPort, isInternalTask, validateInternalTask } from '../internal-tasks/port.js'
import type { OperatorView } from '../operators.js'
import type { PluginRegistry } from '../plugins/registry.js'
import type { BlsSignerPort, ChainPort, GossipPort, GossipReceived, Logger, MetricsPort } from '../ports.js'
import {
  type ServiceFailure,
  ValidationServiceClient,
  type ValidationServiceOptions,
} from '../validation-service.js'
import type { ElectionOptions } from './election.js'
import type { Republisher } from './republisher.js'
import { taskInfoOf, taskInputOf } from './task.js'
import { performerSignatureValid, performerWasElected } from './task-checks.js'

type Address = `0x${string}`
type Hex = `0x${string}`

export interface AttesterOptions extends ElectionOptions {
  /** this operator's address: it goes into every attestation */
  operatorAddress: Address
  /**
   * Blocks back from the head within which the performer must have been elected: a Task does not
   * say which block elected it, and gossip takes time. 0 turns the check off (tasks that arrive by
   * JSON-RPC sendTask from an AVS's own performer service are not elected by Wisp).
   */
  electionWindowBlocks: bigint
  /** validate through an external service instead of the registered plugin (needs a `fetch` component) */
  validationService?: ValidationServiceOptions
  /** how many task hashes to remember for dedupe */
  seenTasks: number
}

export const DEFAULT_ATTESTER_OPTIONS: Omit<AttesterOptions, 'operatorAddress'> = {
  electionWindowBlocks: 16n,
  seenTasks: 10_000,
}

export interface AttesterComponents {
  gossip: GossipPort
  chain: ChainPort
  operators: OperatorView
  registry: PluginRegistry
  signer: BlsSignerPort
  verifier: BlsVerifier
  slashing: SlashingProtection
  history: History
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  fetch?: BaseFetch
  /** keeps published votes until the task is settled on chain (see republisher.ts) */
  republisher?: Republisher
  /** checks internal tasks (10001, 10002) against the chain; without it they are ignored */
  internalTasks?: InternalTasksPort
  now: () => number
}

export class Attester {
  readonly #options: AttesterOptions
  readonly #c: AttesterComponents
  readonly #seen: BoundedSet<Hex>
  readonly #service: ValidationServiceClient | undefined
  #unsubscribe: (() => void) | undefined
  #stopping = new AbortController()

  constructor(options: AttesterOptions, components: AttesterComponents) {
    // without fetch the service could never be asked: falling back to plugins would vote on
    // different logic than the operator configured
    if (options.validationService !== undefined && components.fetch === undefined) {
      throw new CoreError(
        'ENGINE_INVALID_OPTIONS',
        `attester option validationService (${options.validationService.url}) needs a fetch component`,
      )
    }
    this.#options = options
    this.#c = components
    this.#seen = new BoundedSet(options.seenTasks)
    this.#service =
      options.validationService !== undefined
        ? new ValidationServiceClient(options.validationService, {
            fetch: components.fetch!,
            logger: components.logger,
          })
        : undefined
  }

  start(): void {
    this.#stopping = new AbortController()
    this.#unsubscribe = this.#c.gossip.onMessage('task', (received) => {
      void this.handleTask(received).catch((err) => {
        this.#c.logger.error('attester failed on a task', { error: (err as Error).message })
      })
    })
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#stopping.abort(new Error('attester stopped'))
  }

  #ignore(reason: string, hash?: Hex): undefined {
    this.#c.events.emit('task:ignored', { reason, ...(hash ? { taskHash: hash } : {}) })
    this.#c.metrics.increment('wisp_attester_tasks_ignored_total', { reason: reason.split(':')[0]! })
    return undefined
  }

  /** Handles one gossiped task. Resolves to the verdict, or undefined when the task was ignored. */
  async handleTask(received: Pick<GossipReceived<'task'>, 'message' | 'from'>): Promise<Verdict | undefined> {
    const started = this.#c.now()
    const message = received.message
    const task = taskInfoOf(message)
    const hash = taskHash(task)
    if (!this.#seen.add(hash)) return this.#ignore('duplicate task', hash)
    this.#c.events.emit('task:received', {
      taskHash: hash,
      taskDefinitionId: task.taskDefinitionId,
      performer: task.taskPerformer,
      from: received.from,
    })

    // internal tasks: the protocol's own data, checked against the chain here, never by a plugin or service
    const internal = isInternalTask(task.taskDefinitionId)
    if (internal && this.#c.internalTasks === undefined)
      return this.#ignore(`internal task ${task.taskDefinitionId}: no chain check configured`, hash)
    if (
      !internal &&
      this.#options.validationService === undefined &&
      this.#c.registry.forTaskDefinition(task.taskDefinitionId) === undefined
    ) {
      return this.#ignore(`unknown task definition ${task.taskDefinitionId}`, hash)
    }
    const performer = await this.#c.operators.byAddress(task.taskPerformer)
    if (performer === undefined || !performer.active)
      return this.#ignore('performer is not an active operator', hash)
    const election = { ...this.#options, windowBlocks: this.#options.electionWindowBlocks }
    // an internal task's performer is the aggregator that runs them, not an elected leader
    if (!internal && !(await performerWasElected(this.#c, election, task, await this.#c.operators.all())))
      return this.#ignore('performer was not elected', hash)
    if (!(await performerSignatureValid(this.#c.verifier, task, message.signature, performer.blsPublicKey))) {
      return this.#ignore('bad performer signature', hash)
    }

    let failure: ServiceFailure | undefined
    let verdict: Verdict
    if (internal) verdict = await validateInternalTask(this.#c.internalTasks!, task)
    else if (this.#service !== undefined) ({ verdict, failure } = await this.#service.validate(task))
    else verdict = await this.#c.registry.validate(taskInputOf(task), this.#stopping.signal)
    const latencyMs = this.#c.now() - started
    this.#logVerdict(hash, task.taskDefinitionId, verdict, latencyMs, failure)
    this.#c.events.emit('vote:decided', { taskHash: hash, verdict, latencyMs })
    this.#c.metrics.increment('wisp_attester_verdicts_total', { verdict: verdict.kind })
    const decidedAt = this.#c.now()
    if (verdict.kind !== 'abstain') {
      await this.#vote(task, hash, message, verdict.kind === 'approve')
      this.#c.metrics.observe('wisp_attester_vote_seconds', (this.#c.now() - started) / 1000)
    }
    // the history is for people reading it: written after the vote is out, not before
    await this.#c.history.addAttestation({
      taskHash: hash,
      taskDefinitionId: task.taskDefinitionId,
      operator: this.#options.operatorAddress,
      verdict: verdict.kind,
      ...(verdict.kind === 'approve' ? {} : { reason: verdict.reason }),
      at: decidedAt,
    })
    return verdict
  }

  /**
   * One line per task an operator can act on: the verdict at info; an abstention (no vote: the
   * task may miss quorum) at warn with its cause — for a validation service the URL, the HTTP
   * status or the timeout.
   */
  #logVerdict(
    hash: Hex,
    definition: number,
    verdict: Verdict,
    latencyMs: number,
    failure?: ServiceFailure,
  ): void {
    const fields = { taskHash: hash, definition, verdict: verdict.kind, latencyMs }
    if (verdict.kind === 'approve') this.#c.logger.info('task approved', fields)
    else if (verdict.kind === 'reject')
      this.#c.logger.info('task rejected', { ...fields, reason: verdict.reason })
    else if (failure !== undefined) {
      this.#c.logger.warn(`task abstained: ${failure.message}`, {
        ...fields,
        cause: failure.code,
        url: failure.url,
        ...(failure.status !== undefined ? { status: failure.status } : {}),
      })
    } else this.#c.logger.warn(`task abstained: ${verdict.reason}`, fields)
  }

  async #vote(task: TaskInfo, hash: Hex, message: WireTask, isApproved: boolean): Promise<void> {
    try {
      // Durable before the signature exists: a crash after this line can only lose a vote, never
      // let us sign the opposite verdict later.
      await this.#c.slashing.recordVote(
        this.#options.operatorAddress,
        hash,
        isApproved ? 'approve' : 'reject',
      )
    } catch (err) {
      this.#c.events.emit('vote:refused', { taskHash: hash, reason: (err as Error).message })
      this.#c.metrics.increment('wisp_attester_votes_refused_total', {
        code: (err as { code?: string }).code ?? 'UNEXPECTED',
      })
      return
    }
    const vote = voteHash(task, {
      attestationCenter: this.#c.chain.attestationCenter,
      chainId: this.#c.chain.chainId,
      isApproved,
    })
    const signature = await this.#c.signer.sign(hexToBytes(DOMAIN_TASKS), hexToBytes(vote))
    const attestation: WireAttestation = {
      proofOfTask: task.proofOfTask,
      data: task.data,
      performer: { address: task.taskPerformer, signature: message.signature },
      attester: {
        address: this.#options.operatorAddress,
        signature: { x: readWord(signature, 0), y: readWord(signature, 32) },
      },
      isApproved,
      definitionId: task.taskDefinitionId,
    }
    const { recipients } = await this.#c.gossip.publish('attestation', attestation)
    this.#c.events.emit('vote:published', { taskHash: hash, voteHash: vote, isApproved, recipients })
    await this.#c.republisher?.track('attestation', hash, attestation)
  }
}
