// The watchtower: watches the votes on gossip and proves misbehaviour on chain. An operator that
// BLS-signs both verdicts of one task has handed anyone the proof; the watchtower checks both
// signatures (a proof the contract refuses costs gas and proves nothing), files it through
// `slashOperatorForDoubleAttestation` once per (task, operator) — remembered in the store across
// restarts — and collects the challenger reward. Where this node's aggregator submitted a task, it
// also files `slashOperatorForIncorrectAttestation` for the votes against the recorded verdict, if
// the task's definition enables that slashing (the contract says so in simulation, at no gas; a
// definition found disabled is not asked again for a while). Any node can run it; the aggregator
// runs it by default, since it sees every vote anyway.
import type { BlsVerifier } from '@wisp/bls'
import { DOMAIN_TASKS, type TaskInfo, taskHash, voteHash, writeWord } from '@wisp/protocol'
import type { KeyValueStore } from '@wisp/storage'
import { hexToBytes } from 'viem'
import type { EngineEvents, EventBus } from '../events.js'
import type { OperatorView } from '../operators.js'
import type { ChainPort, GossipPort, GossipReceived, Logger, MetricsPort, SlashOutcome } from '../ports.js'
import { taskInfoOf } from './task.js'

type Hex = `0x${string}`

export interface WatchtowerOptions {
  /** tasks whose votes are remembered (one per operator), oldest forgotten first: bounds memory */
  maxTrackedTasks: number
  /** filing attempts when the RPC fails (a contract refusal is final at once) */
  maxAttempts: number
  /** first retry delay; doubles each attempt */
  backoffMs: number
}

export const DEFAULT_WATCHTOWER_OPTIONS: WatchtowerOptions = {
  // ~200 bytes a vote: a few MB for the last thousands of tasks of a few dozen attesters
  maxTrackedTasks: 5_000,
  maxAttempts: 3,
  backoffMs: 1000,
}

export interface WatchtowerComponents {
  gossip: GossipPort
  chain: ChainPort
  operators: OperatorView
  verifier: BlsVerifier
  store: KeyValueStore
  events: EventBus
  logger: Logger
  metrics: MetricsPort
  now: () => number
  sleep: (ms: number) => Promise<void>
}

type ProofKind = 'double-attestation' | 'incorrect-attestation'

interface SeenVote {
  task: TaskInfo
  isApproved: boolean
  signature: Uint8Array
  /** it also voted the other verdict: proven as a double attestation, not as an incorrect one */
  equivocated: boolean
}

/** `watchtower/filed/<taskHash>/<operatorId>`: a proof filed (or refused for good) once. */
const FILED_PREFIX = 'watchtower/filed/'
/** Errors worth another try: the transport, not the contract. */
const RETRYABLE = new Set(['CHAIN_RPC_FAILED', 'CHAIN_TIMEOUT', 'CHAIN_TX_DROPPED'])
/** The contract's answer where a definition does not slash incorrect attestations. */
const NOT_ENABLED = 'SlashingNotEnabled'
/** A definition found without incorrect-attestation slashing is asked again after this long. */
const DISABLED_RECHECK_MS = 10 * 60_000

export class Watchtower {
  readonly #options: WatchtowerOptions
  readonly #c: WatchtowerComponents
  /** task hash → operator id → its first vote (insertion order: oldest task first) */
  readonly #votes = new Map<Hex, Map<number, SeenVote>>()
  readonly #filing = new Set<string>()
  /** definition id → when we found its incorrect-attestation slashing off */
  readonly #incorrectDisabled = new Map<number, number>()
  readonly #inflight = new Set<Promise<void>>()
  readonly #unsubscribe: Array<() => void> = []

  constructor(options: WatchtowerOptions, components: WatchtowerComponents) {
    this.#options = options
    this.#c = components
  }

  start(): void {
    this.#unsubscribe.push(
      this.#c.gossip.onMessage('attestation', (received) => this.#track(this.handleAttestation(received))),
      this.#c.events.on('submission:sent', (sent) => this.#track(this.handleSubmission(sent))),
    )
  }

  /** Stops watching and lets proofs being filed finish (their receipts are awaited). */
  async stop(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off()
    await Promise.allSettled([...this.#inflight])
  }

  #track(run: Promise<void>): void {
    const guarded = run.catch((err) =>
      this.#c.logger.error('watchtower error', { error: (err as Error).message }),
    )
    this.#inflight.add(guarded)
    void guarded.finally(() => this.#inflight.delete(guarded))
  }

  async handleAttestation(received: Pick<GossipReceived<'attestation'>, 'message'>): Promise<void> {
    const message = received.message
    const operator = await this.#c.operators.byAddress(message.attester.address)
    if (operator === undefined) return
    const task = taskInfoOf(message)
    const hash = taskHash(task)
    const signature = new Uint8Array(64)
    writeWord(signature, 0, message.attester.signature.x)
    writeWord(signature, 32, message.attester.signature.y)
    let votes = this.#votes.get(hash)
    if (votes === undefined) {
      votes = new Map()
      this.#votes.set(hash, votes)
      if (this.#votes.size > this.#options.maxTrackedTasks)
        this.#votes.delete(this.#votes.keys().next().value as Hex)
    }
    const earlier = votes.get(operator.id)
    if (earlier === undefined) {
      votes.set(operator.id, { task, isApproved: message.isApproved, signature, equivocated: false })
      return
    }
    const key = `${hash}/${operator.id}`
    if (earlier.isApproved === message.isApproved || this.#filing.has(key)) return
    this.#filing.add(key)
    try {
      if ((await this.#c.store.get(`${FILED_PREFIX}${key}`)) !== undefined) return
      const [approve, reject] = earlier.isApproved
        ? [earlier.signature, signature]
        : [signature, earlier.signature]
      if (!(await this.#bothVotesVerify(task, operator.blsPublicKey, approve, reject))) {
        // a forged "second vote" must not displace the genuine first one
        this.#c.metrics.increment('wisp_watchtower_proofs_total', {
          kind: 'double-attestation',
          result: 'invalid',
        })
        return
      }
      earlier.equivocated = true
      this.#c.metrics.increment('wisp_watchtower_equivocations_total')
      this.#c.logger.warn('operator signed both verdicts of a task', {
        taskHash: hash,
        operatorId: operator.id,
      })
      const prove = this.#c.chain.proveDoubleAttestation?.bind(this.#c.chain)
      await this.#file('double-attestation', key, { hash, operatorId: operator.id }, prove, (p) =>
        p({ task, operator: operator.address, approveSignature: approve, rejectSignature: reject }),
      )
    } finally {
      this.#filing.delete(key)
    }
  }

  /**
   * This node's aggregator put a verdict on chain: every vote seen for the other verdict is an
   * incorrect attestation (an operator that voted both ways is proven as a double attestation).
   */
  async handleSubmission(sent: EngineEvents['submission:sent']): Promise<void> {
    const votes = this.#votes.get(sent.taskHash)
    const aggregateSignature = sent.aggregateSignature
    const prove = this.#c.chain.proveIncorrectAttestation?.bind(this.#c.chain)
    if (votes === undefined || aggregateSignature === undefined || prove === undefined) return
    for (const [operatorId, vote] of votes) {
      if (vote.isApproved === sent.isApproved || vote.equivocated) continue
      const disabledAt = this.#incorrectDisabled.get(vote.task.taskDefinitionId)
      if (disabledAt !== undefined && this.#c.now() - disabledAt < DISABLED_RECHECK_MS) return
      const key = `${sent.taskHash}/${operatorId}`
      if (this.#filing.has(key) || (await this.#c.store.get(`${FILED_PREFIX}${key}`)) !== undefined) continue
      const operator = await this.#c.operators.byId(operatorId)
      if (operator === undefined) continue
      this.#filing.add(key)
      try {
        const refused = await this.#file(
          'incorrect-attestation',
          key,
          { hash: sent.taskHash, operatorId },
          prove,
          (p) =>
            p({
              task: vote.task,
              operator: operator.address,
              isApproved: sent.isApproved,
              incorrectSignature: vote.signature,
              aggregateSignature,
              attesterIds: sent.attesterIds,
            }),
        )
        if (refused === NOT_ENABLED) {
          this.#incorrectDisabled.set(vote.task.taskDefinitionId, this.#c.now())
          return
        }
      } finally {
        this.#filing.delete(key)
      }
    }
  }

  async #bothVotesVerify(task: TaskInfo, publicKey: Uint8Array, approve: Uint8Array, reject: Uint8Array) {
    const job = (isApproved: boolean, signature: Uint8Array) => ({
      domain: hexToBytes(DOMAIN_TASKS),
      digest: hexToBytes(
        voteHash(task, {
          attestationCenter: this.#c.chain.attestationCenter,
          chainId: this.#c.chain.chainId,
          isApproved,
        }),
      ),
      publicKey,
      signature,
    })
    const outcomes = await this.#c.verifier.verifyMany([job(true, approve), job(false, reject)])
    return outcomes.every((o) => o.ok && o.valid)
  }

  /**
   * Files one proof through `prover` (absent on a port without an account), retrying transport
   * failures, and remembers it — or a final refusal — in the store. Returns the contract's refusal
   * code, if any.
   */
  async #file<P>(
    kind: ProofKind,
    key: string,
    p: { hash: Hex; operatorId: number },
    prover: P | undefined,
    send: (prover: P) => Promise<SlashOutcome>,
  ): Promise<string | undefined> {
    if (prover === undefined) {
      this.#c.logger.warn(`${kind} seen, but this chain port cannot file proofs (no account)`, {
        taskHash: p.hash,
        operatorId: p.operatorId,
      })
      return undefined
    }
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      try {
        const outcome = await send(prover)
        await this.#c.store.put(`${FILED_PREFIX}${key}`, hexToBytes(outcome.txHash))
        this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind, result: 'filed' })
        this.#c.events.emit('slashing:proved', {
          kind,
          taskHash: p.hash,
          operatorId: p.operatorId,
          txHash: outcome.txHash,
          slashedStake: outcome.slashedStake,
          challengerReward: outcome.challengerReward,
        })
        this.#c.logger.info(`${kind} proof filed`, {
          taskHash: p.hash,
          operatorId: p.operatorId,
          txHash: outcome.txHash,
          slashedStake: outcome.slashedStake.toString(),
          challengerReward: outcome.challengerReward.toString(),
        })
        return undefined
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'UNEXPECTED'
        if (code === NOT_ENABLED) {
          this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind, result: 'not-enabled' })
          return code
        }
        const final = attempt === this.#options.maxAttempts || !RETRYABLE.has(code)
        this.#c.events.emit('slashing:failed', {
          kind,
          taskHash: p.hash,
          operatorId: p.operatorId,
          code,
          message: (err as Error).message,
          final,
        })
        if (final) {
          this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind, result: 'failed' })
          // a contract refusal (already slashed, a bad proof) will not change: not again for this vote
          if (!RETRYABLE.has(code)) await this.#c.store.put(`${FILED_PREFIX}${key}`, new Uint8Array(0))
          this.#c.logger.warn(`${kind} proof not filed`, { taskHash: p.hash, code })
          return code
        }
        await this.#c.sleep(this.#options.backoffMs * 2 ** (attempt - 1))
      }
    }
    return undefined
  }
}
