// Deploys a plan to any EVM JSON-RPC: open (chain id, record, estimates, funding check) → preview
// (gas and cost per step; what --dry-run prints) → run (sign each step with the next nonce, record
// it, broadcast, and confirm up to `maxInFlight` at a time) → the network file.
//
// Gas: a deployment's is estimated (constructors read no other state); a call's target usually
// does not exist yet when it is signed, so it gets a fixed, generous limit (steps.ts) — except
// calls on contracts the plan names by address (an existing token), which are estimated, so a
// transfer the deployer cannot afford is caught before anything is sent.
import { attestationCenterAbi, avsTreasuryAbi, operatorRegistryAbi, testERC20Abi } from '@wisp/contracts'
import { type NetworkFile, parseNetworkFile } from '@wisp/operator'
import {
  type Abi,
  type Address,
  type Client,
  decodeErrorResult,
  decodeEventLog,
  formatEther,
  formatGwei,
  getContractAddress,
  type Hex,
  isAddressEqual,
  keccak256,
  type LocalAccount,
  parseTransaction,
  type TransactionReceipt,
} from 'viem'
import {
  call,
  estimateFeesPerGas,
  estimateGas,
  getBalance,
  getChainId,
  getCode,
  getGasPrice,
  getTransactionCount,
  getTransactionReceipt,
  sendRawTransaction,
  waitForTransactionReceipt,
} from 'viem/actions'
import { DeployError } from './errors.js'
import { type DeploymentPlan, planHash } from './plan.js'
import { type DeploymentRecord, readRecord, recordWriter, type StepRecord } from './record.js'
import { createDeployClient, type DeployRpcOptions, deployErrorIn } from './rpc.js'
import { CONTRACT_NAMES, type ContractName, planSteps, type Step, type StepContext } from './steps.js'

export interface DeployParams {
  plan: DeploymentPlan
  /** in order; the next takes over when one times out or rate-limits */
  rpcUrls: string[]
  /** the deployer (and, until `plan.governance` takes over, the governor) */
  account: LocalAccount
  /** the chain id the RPC must report (and the plan's `chainId`, when it has one) */
  chainId?: number
  /** the deployment record: created, or resumed when it exists */
  recordPath: string
  /** overrides the plan's */
  confirmations?: number
  rpc?: Partial<DeployRpcOptions>
  /** DEPLOY_STEP_FAILED when a step has no receipt (with its confirmations) after this long */
  receiptTimeoutMs?: number
  /** steps sent but not yet confirmed, at most */
  maxInFlight?: number
  /** a client to use instead of one built from `rpcUrls` (tests) */
  client?: Client
}

export interface StepPreview {
  id: string
  label: string
  /** done: in the record already; sent: signed and recorded, its receipt not seen yet */
  status: 'done' | 'sent' | 'pending'
  gas: bigint
  /** estimate: eth_estimateGas; limit: the fixed limit of a call signed before its state exists */
  gasSource: 'estimate' | 'limit' | 'receipt'
  /** gas × fee per gas (the most it can cost); 0 for done steps */
  cost: bigint
  nonce?: number
  /** a deployment: its address (predicted from the nonce until it lands) */
  address?: Address
}

export interface DeploymentPreview {
  chainId: number
  deployer: Address
  balance: bigint
  /** the fee per gas signed with (maxFeePerGas, or gasPrice on a chain without EIP-1559) */
  feePerGas: bigint
  steps: StepPreview[]
  /** gas and cost of the steps still to send */
  totalGas: bigint
  totalCost: bigint
  /** a record existed: this run resumes it */
  resumed: boolean
  confirmations: number
}

export type DeployEvent =
  | { kind: 'sent'; step: string; label: string; txHash: Hex; nonce: number }
  | { kind: 'done'; step: string; label: string; txHash: Hex; block: number; address?: Address }
  | { kind: 'resumed'; step: string; label: string }

export interface DeploymentResult {
  chainId: number
  deployer: Address
  contracts: Record<ContractName, Address>
  /** the block of the first deployment */
  deploymentBlock: number
  taskDefinitions: Array<{ id: number; name: string }>
  record: DeploymentRecord
}

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint }

const ERRORS_ABI: Abi = [attestationCenterAbi, operatorRegistryAbi, avsTreasuryAbi, testERC20Abi].flatMap(
  (abi) => (abi as Abi).filter((item) => item.type === 'error'),
)

/** The contract error's name, or the node's short message. */
function reasonOf(err: unknown): string {
  let current: unknown = err
  for (let depth = 0; current && depth < 12; depth++) {
    const data = (current as { data?: unknown }).data
    const hex = typeof data === 'string' ? data : (data as { data?: unknown } | undefined)?.data
    if (typeof hex === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(hex)) {
      try {
        return decodeErrorResult({ abi: ERRORS_ABI, data: hex as Hex }).errorName
      } catch {
        return `revert ${hex.slice(0, 10)}`
      }
    }
    current = (current as { cause?: unknown }).cause
  }
  const e = err as { shortMessage?: string; message?: string }
  return (e.shortMessage ?? e.message ?? String(err)).split('\n')[0]!
}

/** RPC failures stay DEPLOY_RPC_FAILED (they name the URLs); anything else becomes `fallback`. */
function coded(err: unknown, fallback: (reason: string) => DeployError): DeployError {
  return deployErrorIn(err) ?? fallback(reasonOf(err))
}

export class Deployment {
  private readonly steps: Step[]
  private readonly ctx: StepContext
  private readonly writer: ReturnType<typeof recordWriter>
  private readonly gas = new Map<string, { gas: bigint; source: StepPreview['gasSource'] }>()
  private nextNonce = 0
  private nextDefinitionId = 1

  private constructor(
    readonly params: DeployParams,
    readonly client: Client,
    readonly chainId: number,
    readonly record: DeploymentRecord,
    readonly resumed: boolean,
    private readonly fees: Fees,
    readonly balance: bigint,
  ) {
    this.steps = planSteps(params.plan)
    this.writer = recordWriter(params.recordPath)
    const known: StepContext['addresses'] = {}
    for (const name of ['stakeToken', 'rewardToken'] as const) {
      const token = params.plan[name]
      if ('address' in token) known[name] = token.address
    }
    this.ctx = { deployer: params.account.address, addresses: known, definitionIds: {} }
    for (const step of this.steps) {
      const r = record.steps[step.id]
      if (r === undefined || r.status === 'reverted') continue
      if (step.creates && r.address) this.ctx.addresses[step.creates] = r.address
      if (step.definesTask && r.definitionId !== undefined) {
        this.ctx.definitionIds[step.definesTask] = r.definitionId
        this.nextDefinitionId = Math.max(this.nextDefinitionId, r.definitionId + 1)
      }
    }
  }

  get confirmations(): number {
    return this.params.confirmations ?? this.params.plan.confirmations
  }

  private get feePerGas(): bigint {
    return 'gasPrice' in this.fees ? this.fees.gasPrice : this.fees.maxFeePerGas
  }

  /**
   * Connects and checks everything that can be checked before sending: the chain id, the record
   * (same chain, plan and deployer; its contracts still have code), every step's gas, and that
   * the deployer can pay for the steps left.
   */
  static async open(params: DeployParams): Promise<Deployment> {
    const client = params.client ?? createDeployClient(params.rpcUrls, params.rpc)
    const expected = params.chainId ?? params.plan.chainId
    if (
      params.chainId !== undefined &&
      params.plan.chainId !== undefined &&
      params.chainId !== params.plan.chainId
    ) {
      throw new DeployError(
        'DEPLOY_WRONG_CHAIN',
        `--chain-id ${params.chainId} contradicts the plan's chainId ${params.plan.chainId}`,
        { details: { expected: params.chainId, plan: params.plan.chainId } },
      )
    }
    const chainId = await getChainId(client).catch((err: unknown) => {
      throw coded(err, (r) => new DeployError('DEPLOY_RPC_FAILED', `eth_chainId: ${r}`))
    })
    if (expected !== undefined && expected !== chainId) {
      throw new DeployError(
        'DEPLOY_WRONG_CHAIN',
        `the RPC ${params.rpcUrls.join(', ')} is on chain ${chainId}, expected chain ${expected}`,
        { details: { expected, actual: chainId } },
      )
    }
    const deployer = params.account.address
    const hash = planHash(params.plan)
    const existing = await readRecord(params.recordPath)
    if (existing) {
      const mismatch = (what: string, recorded: unknown, now: unknown) =>
        new DeployError(
          'DEPLOY_RECORD_MISMATCH',
          `the deployment record ${params.recordPath} is for ${what} ${String(recorded)}, this run's is ${String(now)} (use another --record to start a new deployment)`,
          { details: { what, recorded, now } },
        )
      if (existing.chainId !== chainId) throw mismatch('chain', existing.chainId, chainId)
      if (existing.planHash !== hash) throw mismatch('plan', existing.planHash, hash)
      if (!isAddressEqual(existing.deployer, deployer))
        throw mismatch('deployer', existing.deployer, deployer)
    }
    const record: DeploymentRecord = existing ?? {
      version: 1,
      kind: 'wisp-deployment-record',
      chainId,
      planHash: hash,
      deployer,
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      steps: {},
    }
    const rpcFailed = (what: string) => (err: unknown) => {
      throw coded(err, (r) => new DeployError('DEPLOY_RPC_FAILED', `${what}: ${r}`))
    }
    // a contract the record lists must still be there (a reset local chain, another fork …)
    for (const [id, step] of Object.entries(record.steps)) {
      if (step.status !== 'done' || step.address === undefined) continue
      const code = await getCode(client, { address: step.address }).catch(rpcFailed('eth_getCode'))
      if (code === undefined || code === '0x') {
        throw new DeployError(
          'DEPLOY_RECORD_INVALID',
          `the deployment record ${params.recordPath} has ${id} at ${step.address}, but there is no code there on chain ${chainId}`,
          { details: { step: id, address: step.address, chainId } },
        )
      }
    }
    let fees: Fees
    try {
      const f = await estimateFeesPerGas(client)
      fees = { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas }
    } catch (err) {
      if (deployErrorIn(err)) throw deployErrorIn(err)
      fees = { gasPrice: await getGasPrice(client).catch(rpcFailed('eth_gasPrice')) }
    }
    const [balance, nonce] = await Promise.all([
      getBalance(client, { address: deployer }).catch(rpcFailed('eth_getBalance')),
      getTransactionCount(client, { address: deployer, blockTag: 'pending' }).catch(
        rpcFailed('eth_getTransactionCount'),
      ),
    ])
    const deployment = new Deployment(params, client, chainId, record, existing !== undefined, fees, balance)
    const recordedNonces = Object.values(record.steps).map((s) => s.nonce + 1)
    deployment.nextNonce = Math.max(nonce, ...recordedNonces)
    await deployment.estimate()
    return deployment
  }

  /** Steps not done and not sent, with their nonces and predicted addresses assigned in order. */
  private todo(): Step[] {
    return this.steps.filter((s) => {
      const r = this.record.steps[s.id]
      return r === undefined || r.status === 'reverted'
    })
  }

  private async estimate(): Promise<void> {
    // predicted addresses for the dry run and the estimates (the run assigns the same again)
    const ctx: StepContext = {
      ...this.ctx,
      addresses: { ...this.ctx.addresses },
      definitionIds: { ...this.ctx.definitionIds },
    }
    let nonce = this.nextNonce
    let definitionId = this.nextDefinitionId
    const planned = new Set(
      (['stakeToken', 'rewardToken'] as const).filter((n) => 'address' in this.params.plan[n]),
    )
    const jobs: Array<Promise<void>> = []
    for (const step of this.todo()) {
      if (step.creates)
        ctx.addresses[step.creates] = getContractAddress({ from: ctx.deployer, nonce: BigInt(nonce) })
      if (step.definesTask) ctx.definitionIds[step.definesTask] = definitionId++
      nonce++
      const { to, data } = step.encode(ctx)
      const target = CONTRACT_NAMES.find((n) => to !== undefined && ctx.addresses[n] === to)
      const estimable =
        step.creates !== undefined || (target !== undefined && planned.has(target as 'stakeToken'))
      if (!estimable) {
        this.gas.set(step.id, { gas: step.gasLimit!, source: 'limit' })
        continue
      }
      jobs.push(
        estimateGas(this.client, { account: ctx.deployer, ...(to ? { to } : {}), data }).then(
          (gas) => {
            // headroom: the estimate is for the state now, a block may differ
            this.gas.set(step.id, { gas: (gas * 6n) / 5n + 10_000n, source: 'estimate' })
          },
          (err: unknown) => {
            throw coded(
              err,
              (reason) =>
                new DeployError(
                  'DEPLOY_STEP_REVERTED',
                  `step ${step.id} (${step.label}) reverts in its gas estimate: ${reason}; nothing was sent`,
                  { details: { step: step.id, reason } },
                ),
            )
          },
        ),
      )
    }
    await Promise.all(jobs)
  }

  /** What would be sent, with gas and cost: the dry run's output and the prompt's. */
  preview(): DeploymentPreview {
    const ctx: StepContext = { ...this.ctx, addresses: { ...this.ctx.addresses } }
    let nonce = this.nextNonce
    const steps: StepPreview[] = this.steps.map((step) => {
      const r = this.record.steps[step.id]
      if (r && r.status !== 'reverted') {
        return {
          id: step.id,
          label: step.label,
          status: r.status === 'done' ? 'done' : 'sent',
          gas: BigInt(r.gasUsed ?? 0),
          gasSource: 'receipt',
          cost: 0n,
          nonce: r.nonce,
          ...(r.address ? { address: r.address } : {}),
        }
      }
      const address = step.creates
        ? getContractAddress({ from: ctx.deployer, nonce: BigInt(nonce) })
        : undefined
      const { gas, source } = this.gas.get(step.id)!
      return {
        id: step.id,
        label: step.label,
        status: 'pending',
        gas,
        gasSource: source,
        cost: gas * this.feePerGas,
        nonce: nonce++,
        ...(address ? { address } : {}),
      }
    })
    const pending = steps.filter((s) => s.status === 'pending')
    return {
      chainId: this.chainId,
      deployer: this.ctx.deployer,
      balance: this.balance,
      feePerGas: this.feePerGas,
      steps,
      totalGas: pending.reduce((sum, s) => sum + s.gas, 0n),
      totalCost: pending.reduce((sum, s) => sum + s.cost, 0n),
      resumed: this.resumed,
      confirmations: this.confirmations,
    }
  }

  /** DEPLOY_INSUFFICIENT_FUNDS when the deployer cannot pay for the steps left. */
  checkFunds(): void {
    const { totalCost, balance, deployer } = this.preview()
    if (balance < totalCost) {
      throw new DeployError(
        'DEPLOY_INSUFFICIENT_FUNDS',
        `the deployer ${deployer} has ${formatEther(balance)} ETH, the steps left may cost up to ${formatEther(totalCost)} ETH (at ${formatGwei(this.feePerGas)} gwei); nothing was sent`,
        { details: { deployer, balance: String(balance), needed: String(totalCost) } },
      )
    }
  }

  private async save(): Promise<void> {
    await this.writer.save(this.record)
  }

  private async sign(step: Step, nonce: number, gasLimit?: bigint): Promise<Hex> {
    const { to, data } = step.encode(this.ctx)
    const gas = gasLimit ?? this.gas.get(step.id)!.gas
    const common = { chainId: this.chainId, nonce, gas, data, ...(to ? { to } : {}) }
    return 'gasPrice' in this.fees
      ? this.params.account.signTransaction({ ...common, type: 'legacy', gasPrice: this.fees.gasPrice })
      : this.params.account.signTransaction({ ...common, type: 'eip1559', ...this.fees })
  }

  /**
   * A step an earlier run signed: landed already, or the same bytes broadcast again. Bytes the
   * RPC now refuses (their fee below today's base fee, say) are signed again at the same nonce —
   * same contract address — with this run's fees; a nonce taken by another transaction is
   * DEPLOY_STEP_FAILED.
   */
  private async resume(step: Step): Promise<void> {
    const r = this.record.steps[step.id]!
    const landed = await getTransactionReceipt(this.client, { hash: r.txHash }).catch(() => undefined)
    if (landed) return
    try {
      await this.broadcast(step.id, r.raw)
    } catch (err) {
      if (!(err instanceof DeployError) || err.code !== 'DEPLOY_STEP_FAILED') throw err
      if (/nonce too low|nonce has already been used|NonceTooLow/i.test(err.message)) {
        throw new DeployError(
          'DEPLOY_STEP_FAILED',
          `step ${step.id}: nonce ${r.nonce} was used by another transaction of ${this.ctx.deployer}, not by ${r.txHash} (the record no longer matches the chain)`,
          { details: { step: step.id, nonce: r.nonce, txHash: r.txHash } },
        )
      }
      // the same gas limit as the recorded bytes (a deployment's estimate is not redone)
      const raw = await this.sign(step, r.nonce, parseTransaction(r.raw).gas)
      Object.assign(r, { raw, txHash: keccak256(raw) })
      await this.save()
      await this.broadcast(step.id, raw)
    }
  }

  private async broadcast(id: string, raw: Hex): Promise<void> {
    try {
      await sendRawTransaction(this.client, { serializedTransaction: raw })
    } catch (err) {
      // the same bytes again (a resumed run, or a URL that timed out after taking it): fine
      if (
        /already known|known transaction|already imported|AlreadyKnown/i.test(String((err as Error).message))
      )
        return
      throw coded(
        err,
        (reason) =>
          new DeployError('DEPLOY_STEP_FAILED', `step ${id}: the RPC refused its transaction: ${reason}`, {
            details: { step: id, reason },
          }),
      )
    }
  }

  private async confirm(step: Step, onEvent: (e: DeployEvent) => void): Promise<void> {
    const r = this.record.steps[step.id]!
    let receipt: TransactionReceipt
    try {
      receipt = await waitForTransactionReceipt(this.client, {
        hash: r.txHash,
        confirmations: this.confirmations,
        timeout: this.params.receiptTimeoutMs ?? 300_000,
        pollingInterval: this.params.rpc?.pollingIntervalMs ?? 1000,
      })
    } catch (err) {
      throw coded(
        err,
        (reason) =>
          new DeployError('DEPLOY_STEP_FAILED', `step ${step.id}: no receipt for ${r.txHash}: ${reason}`, {
            details: { step: step.id, txHash: r.txHash, reason },
          }),
      )
    }
    if (receipt.status !== 'success') {
      const reason = await this.explainRevert(step, receipt)
      Object.assign(r, {
        status: 'reverted',
        block: Number(receipt.blockNumber),
        gasUsed: String(receipt.gasUsed),
        reason,
      })
      await this.save()
      throw new DeployError(
        'DEPLOY_STEP_REVERTED',
        `step ${step.id} (${step.label}) reverted in block ${receipt.blockNumber}: ${reason} (tx ${r.txHash}; the record shows the steps done)`,
        { details: { step: step.id, txHash: r.txHash, reason } },
      )
    }
    if (step.creates && (!receipt.contractAddress || !isAddressEqual(receipt.contractAddress, r.address!))) {
      throw new DeployError(
        'DEPLOY_STEP_FAILED',
        `step ${step.id}: the contract landed at ${receipt.contractAddress}, not at ${r.address} (predicted from nonce ${r.nonce})`,
        { details: { step: step.id } },
      )
    }
    if (step.definesTask) {
      const id = definitionIdIn(receipt)
      if (id !== r.definitionId) {
        throw new DeployError(
          'DEPLOY_STEP_FAILED',
          `step ${step.id}: the task definition got id ${id}, ${r.definitionId} was expected (created by someone else meanwhile?)`,
          { details: { step: step.id, id, expected: r.definitionId } },
        )
      }
    }
    Object.assign(r, { status: 'done', block: Number(receipt.blockNumber), gasUsed: String(receipt.gasUsed) })
    await this.save()
    onEvent({
      kind: 'done',
      step: step.id,
      label: step.label,
      txHash: r.txHash,
      block: Number(receipt.blockNumber),
      ...(r.address ? { address: r.address } : {}),
    })
  }

  private async explainRevert(step: Step, receipt: TransactionReceipt): Promise<string> {
    const { to, data } = step.encode(this.ctx)
    try {
      await call(this.client, {
        account: this.ctx.deployer,
        ...(to ? { to } : {}),
        data,
        blockNumber: receipt.blockNumber,
        gas: receipt.gasUsed + 100_000n,
      })
    } catch (err) {
      return reasonOf(err)
    }
    // the replay passes with more gas: the limit was too low
    return receipt.gasUsed >= (this.gas.get(step.id)?.gas ?? 0n)
      ? `out of gas (used ${receipt.gasUsed})`
      : 'reverted; the replay gives no reason'
  }

  /**
   * Sends every step left and waits for each to land; the record is written as each step is
   * signed and as it lands. The first failure stops new sends, lets the ones in flight land
   * (recorded), then throws. Call `checkFunds()` (and ask) first.
   */
  async run(onEvent: (e: DeployEvent) => void = () => {}): Promise<DeploymentResult> {
    const maxInFlight = Math.max(1, this.params.maxInFlight ?? 8)
    await this.save()
    let failure: unknown
    const inFlight = new Set<Promise<void>>()
    const track = (p: Promise<void>) => {
      const tracked = p.catch((err: unknown) => {
        failure ??= err
      })
      const entry = tracked.finally(() => inFlight.delete(entry))
      inFlight.add(entry)
    }
    // steps signed by an earlier run: the same bytes again, then their receipts
    for (const step of this.steps) {
      const r = this.record.steps[step.id]
      if (r?.status !== 'sent') continue
      onEvent({ kind: 'resumed', step: step.id, label: step.label })
      // in nonce order, before any new step: a node may refuse a nonce gap
      try {
        await this.resume(step)
      } catch (err) {
        failure ??= err
        break
      }
      track(this.confirm(step, onEvent))
    }
    for (const step of failure === undefined ? this.todo() : []) {
      while (inFlight.size >= maxInFlight && failure === undefined) await Promise.race(inFlight)
      if (failure !== undefined) break
      const nonce = this.nextNonce
      if (step.creates) {
        this.ctx.addresses[step.creates] = getContractAddress({
          from: this.ctx.deployer,
          nonce: BigInt(nonce),
        })
      }
      if (step.definesTask) this.ctx.definitionIds[step.definesTask] = this.nextDefinitionId
      const { to, data } = step.encode(this.ctx)
      const gas = this.gas.get(step.id)!.gas
      const common = { chainId: this.chainId, nonce, gas, data, ...(to ? { to } : {}) }
      const raw =
        'gasPrice' in this.fees
          ? await this.params.account.signTransaction({
              ...common,
              type: 'legacy',
              gasPrice: this.fees.gasPrice,
            })
          : await this.params.account.signTransaction({ ...common, type: 'eip1559', ...this.fees })
      const txHash = keccak256(raw)
      const entry: StepRecord = { status: 'sent', label: step.label, nonce, txHash, raw }
      if (step.creates) entry.address = this.ctx.addresses[step.creates]!
      if (step.definesTask) entry.definitionId = this.nextDefinitionId++
      this.record.steps[step.id] = entry
      this.nextNonce++
      // recorded before it leaves: a crash after the broadcast finds it and sends the same bytes
      await this.save()
      try {
        await this.broadcast(step.id, raw)
      } catch (err) {
        failure ??= err
        break
      }
      onEvent({ kind: 'sent', step: step.id, label: step.label, txHash, nonce })
      track(this.confirm(step, onEvent))
    }
    while (inFlight.size > 0) await Promise.race(inFlight)
    if (failure !== undefined)
      throw failure instanceof DeployError
        ? failure
        : coded(failure, (reason) => new DeployError('DEPLOY_STEP_FAILED', reason))
    this.record.completedAt = new Date().toISOString()
    await this.save()
    return this.result()
  }

  /** The deployed contracts, from the record (every step done). */
  result(): DeploymentResult {
    const contracts = { ...this.ctx.addresses } as Record<ContractName, Address>
    const blocks = this.steps
      .filter((s) => s.creates)
      .map((s) => this.record.steps[s.id]?.block)
      .filter((b): b is number => b !== undefined)
    return {
      chainId: this.chainId,
      deployer: this.ctx.deployer,
      contracts,
      deploymentBlock: blocks.length > 0 ? Math.min(...blocks) : 0,
      taskDefinitions: this.params.plan.taskDefinitions.map((d) => ({
        id: this.ctx.definitionIds[d.name]!,
        name: d.name,
      })),
      record: this.record,
    }
  }
}

function definitionIdIn(receipt: TransactionReceipt): number | undefined {
  for (const log of receipt.logs) {
    try {
      const event = decodeEventLog({ abi: attestationCenterAbi, data: log.data, topics: log.topics })
      if (event.eventName === 'TaskDefinitionCreated') return Number(event.args.taskDefinitionId)
    } catch {
      // another event
    }
  }
  return undefined
}

/** The network file of a finished deployment, checked by `parseNetworkFile` before anyone writes it. */
export function networkFileOf(
  plan: DeploymentPlan,
  result: Pick<DeploymentResult, 'chainId' | 'contracts' | 'deploymentBlock' | 'taskDefinitions'>,
  options: { rpcUrls: string[]; relays?: string[] },
): NetworkFile {
  return parseNetworkFile({
    version: 1,
    name: plan.network.name,
    kind: plan.network.kind,
    chainId: result.chainId,
    rpcUrls: options.rpcUrls,
    backend: 'wisp',
    contracts: {
      attestationCenter: result.contracts.attestationCenter,
      operatorRegistry: result.contracts.operatorRegistry,
      avsTreasury: result.contracts.avsTreasury,
      stakeToken: result.contracts.stakeToken,
      rewardToken: result.contracts.rewardToken,
    },
    deploymentBlock: result.deploymentBlock,
    taskDefinitions: plan.taskDefinitions.map((d) => ({
      id: result.taskDefinitions.find((t) => t.name === d.name)!.id,
      name: d.name,
      ...(d.plugin ? { plugin: d.plugin } : {}),
      ...(d.config !== undefined ? { config: d.config } : {}),
    })),
    relays: options.relays ?? plan.relays,
    ...(plan.network.explorerTxUrl ? { explorerTxUrl: plan.network.explorerTxUrl } : {}),
    ...(plan.network.faucet ? { faucet: plan.network.faucet } : {}),
  })
}

/** One run: open, check funds, send everything, network file. The CLI adds the prompt and the printing. */
export async function deploy(
  params: DeployParams,
  onEvent?: (e: DeployEvent) => void,
): Promise<{ result: DeploymentResult; network: NetworkFile }> {
  const deployment = await Deployment.open(params)
  deployment.checkFunds()
  const result = await deployment.run(onEvent)
  return { result, network: networkFileOf(params.plan, result, { rpcUrls: params.rpcUrls }) }
}
