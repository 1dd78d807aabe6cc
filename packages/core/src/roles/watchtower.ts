// The watchtower: watches the votes on gossip and proves double attestation on chain. An
// operator that BLS-signs both verdicts of one task has handed anyone the proof; the watchtower
// checks both signatures (a proof the contract refuses costs gas and proves nothing), files it
// through `slashOperatorForDoubleAttestation` once per (task, operator) — remembered in the store
// across restarts — and collects the challenger reward. Any node can run it; the aggregator runs
// it by default, since it sees every vote anyway.
import type { BlsVerifier } from '@wisp/bls'
import { DOMAIN_TASKS, type TaskInfo, taskHash, voteHash, writeWord } from '@wisp/protocol'
import type { KeyValueStore } from '@wisp/storage'
import { hexToBytes } from 'viem'
import type { EventBus } from '../events.js'
import type { OperatorView } from '../operators.js'
import type { ChainPort, GossipPort, GossipReceived, Logger, MetricsPort } from '../ports.js'
import { taskInfoOf } from './task.js'

type Hex = `0x${string}`

export interface WatchtowerOptions {
  /** votes remembered (one per task and operator), oldest forgotten first: bounds memory */
  maxTrackedVotes: number
  /** filing attempts when the RPC fails (a contract refusal is final at once) */
  maxAttempts: number
  /** first retry delay; doubles each attempt */
  backoffMs: number
}

export const DEFAULT_WATCHTOWER_OPTIONS: WatchtowerOptions = {
  // ~200 bytes each: a few MB for the last few thousand tasks of a large operator set
  maxTrackedVotes: 20_000,
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
  sleep: (ms: number) => Promise<void>
}

interface SeenVote {
  task: TaskInfo
  isApproved: boolean
  signature: Uint8Array
}

/** `watchtower/filed/<taskHash>/<operatorId>`: a proof filed (or refused for good) once. */
const FILED_PREFIX = 'watchtower/filed/'
/** Errors worth another try: the transport, not the contract. */
const RETRYABLE = new Set(['CHAIN_RPC_FAILED', 'CHAIN_TIMEOUT', 'CHAIN_TX_DROPPED'])

export class Watchtower {
  readonly #options: WatchtowerOptions
  readonly #c: WatchtowerComponents
  readonly #votes = new Map<string, SeenVote>()
  readonly #filing = new Set<string>()
  readonly #inflight = new Set<Promise<void>>()
  #unsubscribe: (() => void) | undefined

  constructor(options: WatchtowerOptions, components: WatchtowerComponents) {
    this.#options = options
    this.#c = components
  }

  start(): void {
    this.#unsubscribe = this.#c.gossip.onMessage('attestation', (received) => {
      const run = this.handleAttestation(received).catch((err) =>
        this.#c.logger.error('watchtower error', { error: (err as Error).message }),
      )
      this.#inflight.add(run)
      void run.finally(() => this.#inflight.delete(run))
    })
  }

  /** Stops watching and lets proofs being filed finish (their receipts are awaited). */
  async stop(): Promise<void> {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
    await Promise.allSettled([...this.#inflight])
  }

  async handleAttestation(received: Pick<GossipReceived<'attestation'>, 'message'>): Promise<void> {
    const message = received.message
    const operator = await this.#c.operators.byAddress(message.attester.address)
    if (operator === undefined) return
    const task = taskInfoOf(message)
    const hash = taskHash(task)
    const key = `${hash}/${operator.id}`
    const signature = new Uint8Array(64)
    writeWord(signature, 0, message.attester.signature.x)
    writeWord(signature, 32, message.attester.signature.y)
    const earlier = this.#votes.get(key)
    if (earlier === undefined) {
      this.#votes.set(key, { task, isApproved: message.isApproved, signature })
      if (this.#votes.size > this.#options.maxTrackedVotes)
        this.#votes.delete(this.#votes.keys().next().value as string)
      return
    }
    if (earlier.isApproved === message.isApproved || this.#filing.has(key)) return
    this.#filing.add(key)
    try {
      if ((await this.#c.store.get(`${FILED_PREFIX}${key}`)) !== undefined) return
      const [approve, reject] = earlier.isApproved
        ? [earlier.signature, signature]
        : [signature, earlier.signature]
      if (!(await this.#bothVotesVerify(task, operator.blsPublicKey, approve, reject))) {
        // a forged "second vote" must not displace the genuine first one
        this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind: 'double', result: 'invalid' })
        return
      }
      this.#c.metrics.increment('wisp_watchtower_equivocations_total')
      this.#c.logger.warn('operator signed both verdicts of a task', {
        taskHash: hash,
        operatorId: operator.id,
      })
      await this.#file(key, {
        task,
        hash,
        operatorId: operator.id,
        address: operator.address,
        approve,
        reject,
      })
    } finally {
      this.#filing.delete(key)
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

  async #file(
    key: string,
    p: {
      task: TaskInfo
      hash: Hex
      operatorId: number
      address: Hex
      approve: Uint8Array
      reject: Uint8Array
    },
  ): Promise<void> {
    const prove = this.#c.chain.proveDoubleAttestation?.bind(this.#c.chain)
    if (prove === undefined) {
      this.#c.logger.warn('double attestation seen, but this chain port cannot file proofs (no account)', {
        taskHash: p.hash,
        operatorId: p.operatorId,
      })
      return
    }
    for (let attempt = 1; attempt <= this.#options.maxAttempts; attempt++) {
      try {
        const outcome = await prove({
          task: p.task,
          operator: p.address,
          approveSignature: p.approve,
          rejectSignature: p.reject,
        })
        await this.#c.store.put(`${FILED_PREFIX}${key}`, hexToBytes(outcome.txHash))
        this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind: 'double', result: 'filed' })
        this.#c.events.emit('slashing:proved', {
          kind: 'double-attestation',
          taskHash: p.hash,
          operatorId: p.operatorId,
          txHash: outcome.txHash,
          slashedStake: outcome.slashedStake,
          challengerReward: outcome.challengerReward,
        })
        this.#c.logger.info('double-attestation proof filed', {
          taskHash: p.hash,
          operatorId: p.operatorId,
          txHash: outcome.txHash,
          slashedStake: outcome.slashedStake.toString(),
          challengerReward: outcome.challengerReward.toString(),
        })
        return
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'UNEXPECTED'
        const final = attempt === this.#options.maxAttempts || !RETRYABLE.has(code)
        this.#c.events.emit('slashing:failed', {
          kind: 'double-attestation',
          taskHash: p.hash,
          operatorId: p.operatorId,
          code,
          message: (err as Error).message,
          final,
        })
        if (final) {
          this.#c.metrics.increment('wisp_watchtower_proofs_total', { kind: 'double', result: 'failed' })
          // a contract refusal (already slashed, slashing not enabled) will not change: do not retry at the next sighting
          if (!RETRYABLE.has(code)) await this.#c.store.put(`${FILED_PREFIX}${key}`, new Uint8Array(0))
          this.#c.logger.warn('double-attestation proof not filed', { taskHash: p.hash, code })
          return
        }
        await this.#c.sleep(this.#options.backoffMs * 2 ** (attempt - 1))
      }
    }
  }
}
