// A reference model of the AttestationCenter for engine unit tests: the same rules as the
// contract (docs/protocol.md §3) — used taskHash, performer signature (raw ECDSA or BLS), the
// attester checks and threshold (via @wisp/protocol's preflight, which mirrors the contract),
// and one real BLS pairing check of the aggregate. The real contract on anvil is exercised in
// @wisp/contracts and @wisp/chain; this double exists so the engine logic can be tested fast.
import { aggregatePublicKeys, PublicKey, Signature, verify } from '@wisp/bls'
import {
  DOMAIN_TASKS,
  isValidEcdsaPerformerSignature,
  openTaskDefinition,
  preflightSubmission,
  taskHash,
  voteHash,
  WispError,
} from '@wisp/protocol'
import type {
  AnnouncedOutcome,
  ChainPort,
  DoubleAttestationProof,
  IncorrectAttestationProof,
  OperatorRecord,
  OutcomeCheck,
  SlashOutcome,
  SubmitTaskOutcome,
  SubmitTaskParams,
  TaskDefinitionInfo,
} from '../../src/index.js'

type Hex = `0x${string}`

export class ModelChain implements ChainPort {
  readonly chainId = 31337
  readonly attestationCenter: Hex = '0x2222222222222222222222222222222222222222'
  block = 100n
  operators: OperatorRecord[]
  /** definition 1 (the tests' tasks) exists, without restrictions */
  definitions = new Map<number, TaskDefinitionInfo>([
    [1, { ...openTaskDefinition(1), blockExpiry: 0n, definitionTotal: 0n }],
  ])
  readonly used = new Set<Hex>()
  readonly submissions: Array<SubmitTaskParams & { event: 'TaskSubmitted' | 'TaskRejected'; txHash: Hex }> =
    []
  /** proofs accepted by slashOperatorForDoubleAttestation */
  readonly slashings: Array<DoubleAttestationProof & { txHash: Hex }> = []
  /** share of voting power a slash takes, like the contract's configured percentage */
  slashShare = 10n
  /** definitions that slash incorrect attestations (setIsIncorrectAttestationSlashingEnabled) */
  readonly incorrectSlashing = new Set<number>()
  /** proofs of incorrect attestation accepted */
  readonly incorrectSlashings: Array<IncorrectAttestationProof & { txHash: Hex }> = []
  /** how often a proof of incorrect attestation was attempted (simulations included) */
  incorrectAttempts = 0
  /** make the next n submissions fail like a broken RPC */
  failNext = 0
  #tx = 0

  constructor(operators: OperatorRecord[]) {
    this.operators = operators
  }

  async getBlockNumber(): Promise<bigint> {
    return this.block
  }

  async getOperators(): Promise<OperatorRecord[]> {
    return this.operators.map((o) => ({ ...o }))
  }

  async getNetworkTotal(): Promise<bigint> {
    return this.operators.filter((o) => o.active).reduce((s, o) => s + o.votingPower, 0n)
  }

  async getTaskDefinition(id: number): Promise<TaskDefinitionInfo | undefined> {
    return this.definitions.get(id)
  }

  async submitTask(params: SubmitTaskParams): Promise<SubmitTaskOutcome> {
    if (this.failNext > 0) {
      this.failNext--
      throw new WispError('CHAIN_RPC_FAILED', 'connection refused')
    }
    const hash = taskHash(params.task)
    const revert = (name: string) => {
      throw new WispError(name, `reverted: ${name}`)
    }
    if (this.used.has(hash)) return { status: 'already-submitted' }
    const performer = this.operators.find(
      (o) => o.address.toLowerCase() === params.task.taskPerformer.toLowerCase(),
    )
    if (params.performerSignature.type === 'ecdsa') {
      if (!(await isValidEcdsaPerformerSignature(params.task, params.performerSignature.signature)))
        revert('InvalidPerformerSignature')
    } else {
      const { x, y } = params.performerSignature.signature
      if (
        performer === undefined ||
        !verify(Signature.fromEvm([x, y]), PublicKey.fromBytes(performer.blsPublicKey), DOMAIN_TASKS, hash)
      ) {
        revert('InvalidPerformerSignature')
      }
    }
    const definition = this.definitions.get(params.task.taskDefinitionId)
    const preflight = preflightSubmission({
      attesterIds: params.attesterIds,
      operators: this.operators,
      isApproved: params.isApproved,
      networkTotal: await this.getNetworkTotal(),
      ...(definition ? { taskDefinition: definition, definitionTotal: definition.definitionTotal } : {}),
    })
    if (!preflight.ok) revert(preflight.code)
    const keys = params.attesterIds.map((id) =>
      PublicKey.fromBytes(this.operators.find((o) => o.id === id)!.blsPublicKey),
    )
    const vote = voteHash(params.task, {
      attestationCenter: this.attestationCenter,
      chainId: this.chainId,
      isApproved: params.isApproved,
    })
    if (!verify(Signature.fromEvm(params.aggregateSignature), aggregatePublicKeys(keys), DOMAIN_TASKS, vote))
      revert('InvalidOBLSSignature')
    if (performer === undefined || !performer.active) revert('InactiveTaskPerformer')
    this.used.add(hash)
    const txHash = `0x${(++this.#tx).toString(16).padStart(64, '0')}` as Hex
    const event = params.isApproved ? 'TaskSubmitted' : 'TaskRejected'
    this.submissions.push({ ...params, event, txHash })
    this.block++
    return { status: 'included', txHash, blockNumber: this.block, event }
  }

  /** Another aggregator's submission landed (skipping the checks): returns its transaction hash. */
  landedElsewhere(task: SubmitTaskParams['task'], isApproved: boolean, attesterIds: number[]): Hex {
    this.used.add(taskHash(task))
    const txHash = `0x${(++this.#tx).toString(16).padStart(64, '0')}` as Hex
    this.submissions.push({
      task,
      performerSignature: { type: 'ecdsa', signature: '0x' },
      isApproved,
      aggregateSignature: [0n, 0n],
      attesterIds,
      event: isApproved ? 'TaskSubmitted' : 'TaskRejected',
      txHash,
    })
    return txHash
  }

  /** Like the receipt check: the transaction must exist and carry this task's outcome. */
  async checkTaskOutcome(outcome: AnnouncedOutcome): Promise<OutcomeCheck> {
    const sub = this.submissions.find((s) => s.txHash === outcome.txHash)
    if (sub === undefined) return { status: 'refuted', reason: 'not_found' }
    if (taskHash({ ...sub.task, taskPerformer: outcome.performer }) !== outcome.taskHash)
      return { status: 'refuted', reason: 'no_matching_event' }
    return {
      status: 'confirmed',
      isApproved: sub.isApproved,
      attesterIds: [...sub.attesterIds],
      blockNumber: this.block,
    }
  }

  /** The contract's rule: both signatures must verify for the operator's key, one per verdict. */
  async proveDoubleAttestation(proof: DoubleAttestationProof): Promise<SlashOutcome> {
    const operator = this.operators.find((o) => o.address.toLowerCase() === proof.operator.toLowerCase())
    if (operator === undefined) throw new WispError('InvalidOperator', 'reverted: InvalidOperator')
    const key = PublicKey.fromBytes(operator.blsPublicKey)
    const valid = (isApproved: boolean, sig: Uint8Array) =>
      verify(
        Signature.fromBytes(sig),
        key,
        DOMAIN_TASKS,
        voteHash(proof.task, {
          attestationCenter: this.attestationCenter,
          chainId: this.chainId,
          isApproved,
        }),
      )
    if (!valid(true, proof.approveSignature) || !valid(false, proof.rejectSignature))
      throw new WispError('InvalidDoubleAttestation', 'reverted: InvalidDoubleAttestation')
    const slashedStake = (operator.votingPower * this.slashShare) / 100n
    operator.votingPower -= slashedStake
    const txHash = `0x${(++this.#tx).toString(16).padStart(64, '0')}` as Hex
    this.slashings.push({ ...proof, txHash })
    return { txHash, slashedStake, challengerReward: 1n, ejected: false }
  }

  /** The contract's rule: enabled for the definition, the recorded verdict, the aggregate and the dissenting vote verify. */
  async proveIncorrectAttestation(proof: IncorrectAttestationProof): Promise<SlashOutcome> {
    this.incorrectAttempts++
    if (!this.incorrectSlashing.has(proof.task.taskDefinitionId))
      throw new WispError('SlashingNotEnabled', 'reverted: SlashingNotEnabled')
    const hash = taskHash(proof.task)
    const record = this.submissions.find((s) => taskHash(s.task) === hash)
    if (record === undefined || record.isApproved !== proof.isApproved)
      throw new WispError('InvalidSlashingProof', 'reverted: InvalidSlashingProof')
    const keyOf = (id: number) => PublicKey.fromBytes(this.operators.find((o) => o.id === id)!.blsPublicKey)
    const digest = (isApproved: boolean) =>
      voteHash(proof.task, { attestationCenter: this.attestationCenter, chainId: this.chainId, isApproved })
    const operator = this.operators.find((o) => o.address.toLowerCase() === proof.operator.toLowerCase())!
    if (
      !verify(
        Signature.fromBytes(proof.aggregateSignature),
        aggregatePublicKeys(proof.attesterIds.map(keyOf)),
        DOMAIN_TASKS,
        digest(proof.isApproved),
      ) ||
      !verify(
        Signature.fromBytes(proof.incorrectSignature),
        keyOf(operator.id),
        DOMAIN_TASKS,
        digest(!proof.isApproved),
      )
    )
      throw new WispError('InvalidSlashingProof', 'reverted: InvalidSlashingProof')
    const slashedStake = (operator.votingPower * this.slashShare) / 100n
    operator.votingPower -= slashedStake
    const txHash = `0x${(++this.#tx).toString(16).padStart(64, '0')}` as Hex
    this.incorrectSlashings.push({ ...proof, txHash })
    return { txHash, slashedStake, challengerReward: 0n, ejected: false }
  }
}
