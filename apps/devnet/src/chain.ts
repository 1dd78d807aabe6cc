// The local network's chain side, on the path a real network takes: anvil is only a JSON-RPC here
// (no anvil_* calls, no impersonation). The contracts go up with `wisp deploy`'s code
// (@wisp/deploy, a plan and a deployment record in the data dir); the operators are funded with
// plain transfers from anvil's first dev account (the local faucet: ETH, and stake tokens minted
// by the deploy plan) and register themselves with `wisp operator register`'s code (@wisp/chain's
// planOperatorRegistration + executeOnboardingPlan: approve, deposit, register).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SecretKey } from '@wisp/bls'
import { executeOnboardingPlan, getOperators, planOperatorRegistration } from '@wisp/chain'
import { ANVIL_DEV_KEYS, type LocalNetwork, type LocalSlashingConfig, WAD } from '@wisp/contracts/dev'
import { Deployment, type DeploymentPlan, type DeploymentResult, parseDeploymentPlan } from '@wisp/deploy'
import {
  bytesToHex,
  createPublicClient,
  createWalletClient,
  formatEther,
  type Hex,
  http,
  keccak256,
  publicActions,
  stringToHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { sendRawTransaction, waitForTransactionReceipt } from 'viem/actions'

export interface DevnetChainOptions {
  rpcUrl: string
  dataDir: string
  /** voting power of each operator, whole units (stake = power × 1e18 at multiplier 1e18) */
  powers: number[]
  /** the task definitions, with their plugins and configs (for the network file) */
  taskDefinitions: DevnetDefinition[]
  slashing: { doubleAttestation: LocalSlashingConfig; challengerRewardFee: bigint }
  /** the web app's faucet endpoint, relative to the page (written to the network file) */
  faucetUrl?: string
  /** ETH each operator gets for gas */
  operatorEth: bigint
  pollingIntervalMs: number
}

export interface DevnetDefinition {
  name: string
  plugin: { package: string; hosts?: string[] }
  config: unknown
  rewards: { attesters: bigint; performer: bigint; aggregator: bigint }
}

export interface DevnetChain {
  /** what `deployLocalNetwork` returned before: e2e tests and the devnet read operators from it */
  network: LocalNetwork
  plan: DeploymentPlan
  deployment: DeploymentResult
}

/** The operator keys of the local network: deterministic, as they always were (seed "wisp-local"). */
export function devnetOperatorKey(index: number): Hex {
  return keccak256(stringToHex(`wisp-local/operator/${index}`))
}

/** The deployment plan of the local network, as the JSON `wisp deploy --plan` reads from a file. */
export function devnetPlanInput(
  options: DevnetChainOptions,
  operators: Array<{ address: Hex; stake: bigint }>,
) {
  return {
    version: 1,
    network: {
      name: 'Wisp local network',
      kind: 'local',
      ...(options.faucetUrl ? { faucet: { url: options.faucetUrl } } : {}),
    },
    stakeToken: {
      deploy: {
        name: 'Wisp Stake',
        symbol: 'WSTK',
        // the faucet's share of the deploy: every operator's stake, minted to it
        mint: operators.map((op) => ({ to: op.address, amount: String(op.stake) })),
      },
    },
    rewardToken: { deploy: { name: 'Wisp Reward', symbol: 'WRWD' } },
    treasuryFunding: String(1_000_000n * WAD),
    roles: { ejectors: ['deployer'], slashers: ['deployer'], paymentRequests: ['deployer'] },
    openAggregator: true,
    challengerRewardFee: String(options.slashing.challengerRewardFee),
    slashing: { doubleAttestation: options.slashing.doubleAttestation },
    taskDefinitions: options.taskDefinitions.map((d) => ({
      name: d.name,
      plugin: d.plugin,
      config: d.config,
      rewards: {
        attesters: String(d.rewards.attesters),
        performer: String(d.rewards.performer),
        aggregator: String(d.rewards.aggregator),
      },
    })),
  }
}

export async function deployDevnetChain(options: DevnetChainOptions): Promise<DevnetChain> {
  const t0 = Date.now()
  const deployer = privateKeyToAccount(ANVIL_DEV_KEYS[0] as Hex)
  const specs = options.powers.map((power, index) => {
    const ecdsaKey = devnetOperatorKey(index)
    return {
      index,
      ecdsaKey,
      account: privateKeyToAccount(ecdsaKey),
      bls: SecretKey.fromEcdsaPrivateKey(ecdsaKey),
      stake: BigInt(power) * WAD,
    }
  })
  const planInput = devnetPlanInput(
    options,
    specs.map((s) => ({ address: s.account.address, stake: s.stake })),
  )
  const plan = parseDeploymentPlan(planInput)
  // next to its record: `wisp deploy --plan <this> --record <that>` finds nothing left to do
  await writeFile(join(options.dataDir, 'deployment-plan.json'), `${JSON.stringify(planInput, null, 2)}\n`)
  const deployment = await Deployment.open({
    plan,
    rpcUrls: [options.rpcUrl],
    account: deployer,
    recordPath: join(options.dataDir, 'deployment.record.json'),
    rpc: { pollingIntervalMs: options.pollingIntervalMs },
    // the whole plan in one block
    maxInFlight: 64,
  })
  deployment.checkFunds()
  const tPrepared = Date.now()

  // the faucet: ETH for gas, plain transfers from the deployer (anvil's first dev account), signed
  // with the nonces after the deployment's and sent once its last step is out: the same block
  const publicClient = createPublicClient({
    transport: http(options.rpcUrl),
    pollingInterval: options.pollingIntervalMs,
  })
  const pending = deployment.preview().steps.filter((s) => s.status === 'pending')
  let nonce = Math.max(...pending.map((s) => s.nonce!)) + 1
  const fees = await publicClient.estimateFeesPerGas()
  // anvil takes an unaffordable transfer into its pool and silently drops it when mining, which
  // would surface as a receipt timeout minutes later: check the faucet's balance first
  const faucetNeeds = BigInt(specs.length) * (options.operatorEth + 21_000n * fees.maxFeePerGas)
  const faucetHas = await publicClient.getBalance({ address: deployer.address, blockTag: 'pending' })
  if (faucetHas < faucetNeeds)
    throw new Error(
      `local network: the deployer ${deployer.address} holds ${formatEther(faucetHas)} ETH; funding ${specs.length} operators with operatorEth ${formatEther(options.operatorEth)} needs ${formatEther(faucetNeeds)} ETH besides the deployment's gas. Lower operatorEth or give anvil a larger balance`,
    )
  const funding: Hex[] = []
  for (const s of specs) {
    funding.push(
      await deployer.signTransaction({
        chainId: deployment.chainId,
        type: 'eip1559',
        nonce: nonce++,
        to: s.account.address,
        value: options.operatorEth,
        gas: 21_000n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
      }),
    )
  }
  let sent = 0
  let funded: Promise<unknown> = Promise.resolve()
  const fund = () => {
    const all = mapWithLimit(funding, IN_FLIGHT, async (raw) => {
      const hash = await sendRawTransaction(publicClient, { serializedTransaction: raw })
      return waitForTransactionReceipt(publicClient, { hash, pollingInterval: options.pollingIntervalMs })
    })
    all.catch(() => undefined) // awaited below, after the deployment
    return all
  }
  const result = await deployment.run((e) => {
    if (e.kind === 'sent' && ++sent === pending.length) funded = fund()
  })
  if (sent < pending.length) funded = fund()
  await funded
  const tDeployed = Date.now()

  // every operator registers itself with `wisp operator register`'s plan: approve and deposit
  // executed for IN_FLIGHT operators at a time, then each plan's registerAsOperator sent in list order (each waits
  // only for the previous one to be accepted, not mined), so ids follow the list in one block
  const onboarded = await mapWithLimit(specs, IN_FLIGHT, async (s) => {
    const wallet = createWalletClient({
      account: s.account,
      transport: http(options.rpcUrl),
      pollingInterval: options.pollingIntervalMs,
    }).extend(publicActions)
    const plan = await planOperatorRegistration(wallet, {
      attestationCenter: result.contracts.attestationCenter,
      account: s.account,
      stake: s.stake,
      stakingContract: result.contracts.stakeToken,
      blsSecretKey: s.bls,
    })
    const staking = { ...plan, steps: plan.steps.filter((x) => x.kind !== 'register') }
    await executeOnboardingPlan(wallet, staking, { pollingIntervalMs: options.pollingIntervalMs })
    return { wallet, register: plan.steps.find((x) => x.kind === 'register')! }
  })
  const registrations: Hex[] = []
  for (const { wallet, register } of onboarded) {
    registrations.push(
      await wallet.sendTransaction({
        to: register.target,
        data: register.data,
        gas: (register.gas * 6n) / 5n,
        chain: null,
      }),
    )
  }
  await mapWithLimit(registrations, IN_FLIGHT, async (hash, i) => {
    const receipt = await waitForTransactionReceipt(publicClient, {
      hash,
      pollingInterval: options.pollingIntervalMs,
    })
    if (receipt.status !== 'success')
      throw new Error(`local network: registerAsOperator of operator ${i} reverted (tx ${hash})`)
  })
  const tRegistered = Date.now()
  const onChain = await getOperators(publicClient, { attestationCenter: result.contracts.attestationCenter })
  const idOf = (address: Hex) => onChain.find((o) => o.address.toLowerCase() === address.toLowerCase())
  const network: LocalNetwork = {
    rpcUrl: options.rpcUrl,
    chainId: result.chainId,
    deployer: deployer.address,
    contracts: {
      attestationCenter: result.contracts.attestationCenter,
      registry: result.contracts.operatorRegistry,
      treasury: result.contracts.avsTreasury,
      stakeToken: result.contracts.stakeToken,
      rewardToken: result.contracts.rewardToken,
    },
    operators: specs.map((s) => {
      const record = idOf(s.account.address)
      return {
        index: s.index,
        id: record?.id ?? 0,
        address: s.account.address,
        ecdsaKey: s.ecdsaKey,
        blsSecretKey: bytesToHex(s.bls.toBytes()),
        blsPublicKey: s.bls.publicKey.toHex(),
        stake: s.stake,
        votingPower: record?.votingPower ?? 0n,
        registered: record?.active === true,
      }
    }),
    taskDefinitions: result.taskDefinitions,
    startBlock: BigInt(result.deploymentBlock),
    timings: {
      prepareMs: tPrepared - t0,
      deployMs: tDeployed - tPrepared,
      registerMs: tRegistered - tDeployed,
      definitionsMs: 0,
      totalMs: Date.now() - t0,
    },
  }
  return { network, plan, deployment: result }
}

/**
 * The operators' transactions and receipt polls, at most this many at a time: a thousand receipts
 * polled at once every 100 ms are ten thousand RPC calls a second, which starve the process until
 * viem's receipt wait times out.
 */
const IN_FLIGHT = 64

/** `fn` over `items` with at most `limit` calls pending; results in the items' order. */
async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}
