// The othentic backend: an Othentic v2 (or v1) deployment — AttestationCenter + OBLS — read through
// the views OTHENTIC-INTEROP.md §1 lists. There is no operator getter with keys and no definition
// getter: operators come from `getActiveOperatorsDetails()` plus the OBLS (key, activity, voting
// power), definitions from three getters plus their `TaskDefinitionCreated` log (name, expiry, fees).
import { type Address, getAddress } from 'viem'
import { getBlockNumber, getContractEvents, multicall } from 'viem/actions'
import { toSafeNumber, wordsToBytes } from '../actions/encoding.js'
import {
  checkDefinitionId,
  internalTaskDefinition,
  isInternalTaskDefinition,
  type OperatorRecord,
  type TaskDefinitionRecord,
} from '../actions/read.js'
import { toChainError } from '../errors.js'
import { type AnyClient, read } from '../transact.js'
import { othenticAttestationCenterAbi, othenticOblsAbi } from './othentic-abi.js'
import type { ChainBackend } from './types.js'

/** The narrowest eth_getLogs range tried before a refusal counts as a failure. */
const MIN_LOG_SPAN = 16n

/** The RPC answered, with a JSON-RPC error (a refused range, too many results), rather than failing to answer. */
function answeredWithAnError(err: unknown): boolean {
  for (let e = err as { name?: string; cause?: unknown } | undefined, depth = 0; e && depth < 16; depth++) {
    if (e.name === 'HttpRequestError' || e.name === 'TimeoutError' || e.name === 'WebSocketRequestError')
      return false
    e = e.cause as typeof e
  }
  return true
}

/** Calldata bytes per deployless multicall chunk: 3 calls per operator, results well under 24 KiB. */
const BATCH_BYTES = 1440

export interface OthenticBackendParams {
  attestationCenter: Address
  /** the OBLS (`obls()`); read when absent */
  registry?: Address
  /**
   * First block to scan for `TaskDefinitionCreated` logs (the deployment block of the network
   * file). Default 0: fine on a local chain, too wide for many public RPCs.
   */
  fromBlock?: bigint
}

/** What only the creation log says about a definition. */
interface CreatedMeta {
  name: string
  blockExpiry: bigint
  baseRewardFeeForAttesters: bigint
  baseRewardFeeForPerformer: bigint
  baseRewardFeeForAggregator: bigint
  disputePeriodBlocks: bigint
}

export async function createOthenticBackend(
  client: AnyClient,
  params: OthenticBackendParams,
): Promise<ChainBackend> {
  const attestationCenter = getAddress(params.attestationCenter)
  const ac = { address: attestationCenter, abi: othenticAttestationCenterAbi } as const
  const registry = getAddress(
    params.registry ?? (await read<Address>(client, { ...ac, functionName: 'obls' })),
  )
  const obls = { address: registry, abi: othenticOblsAbi } as const

  // Creation logs are scanned once and then only from where the last scan stopped. Public RPCs
  // limit eth_getLogs ranges (a few thousand blocks, or a result count): a refused range is split
  // (an eighth at a time, down to MIN_LOG_SPAN) and the span that worked is kept for later scans.
  const created = new Map<number, CreatedMeta>()
  let scannedTo = (params.fromBlock ?? 0n) - 1n
  let span: bigint | undefined
  let scanning: Promise<void> | undefined
  const scanRange = async (fromBlock: bigint, toBlock: bigint) => {
    const logs = await getContractEvents(client, {
      ...ac,
      eventName: 'TaskDefinitionCreated',
      fromBlock,
      toBlock,
      strict: true,
    })
    for (const log of logs) {
      const a = log.args
      created.set(Number(a.taskDefinitionId), {
        name: a.name,
        blockExpiry: a.blockExpiry,
        baseRewardFeeForAttesters: a.baseRewardFeeForAttesters,
        baseRewardFeeForPerformer: a.baseRewardFeeForPerformer,
        baseRewardFeeForAggregator: a.baseRewardFeeForAggregator,
        disputePeriodBlocks: a.disputePeriodBlocks,
      })
    }
  }
  const scanCreated = (): Promise<void> => {
    scanning ??= (async () => {
      try {
        const latest = await getBlockNumber(client, { cacheTime: 0 })
        while (scannedTo < latest) {
          const from = scannedTo + 1n
          const width = span ?? latest - from + 1n
          const to = from + width - 1n < latest ? from + width - 1n : latest
          try {
            await scanRange(from, to)
            scannedTo = to
            // a span that works may grow again (a burst of logs made the provider refuse once)
            if (span !== undefined) span *= 2n
          } catch (err) {
            // an unreachable or rate-limiting RPC is not a range problem: fail (the fallback transport retries)
            if (!answeredWithAnError(err) || width <= MIN_LOG_SPAN) throw err
            span = width / 8n > MIN_LOG_SPAN ? width / 8n : MIN_LOG_SPAN
          }
        }
      } catch (err) {
        throw toChainError(err, { address: attestationCenter, functionName: 'TaskDefinitionCreated logs' })
      } finally {
        scanning = undefined
      }
    })()
    return scanning
  }

  /** The getter-backed part of definitions `ids`, at one block, in one multicall. */
  const readDefinitions = async (ids: number[], blockNumber?: bigint): Promise<TaskDefinitionRecord[]> => {
    await scanCreated()
    let results: readonly unknown[]
    try {
      results = await multicall(client, {
        contracts: ids.flatMap((id) => [
          { ...ac, functionName: 'getTaskDefinitionMinimumVotingPower', args: [id] } as const,
          { ...ac, functionName: 'getTaskDefinitionRestrictedAttesters', args: [id] } as const,
          { ...ac, functionName: 'getTaskDefinitionMaximumNumberOfAttesters', args: [id] } as const,
          { ...obls, functionName: 'totalVotingPowerPerTaskDefinition', args: [BigInt(id)] } as const,
        ]),
        allowFailure: false,
        deployless: true,
        ...(blockNumber === undefined ? {} : { blockNumber }),
      })
    } catch (err) {
      throw toChainError(err, { address: attestationCenter, functionName: 'task definition getters' })
    }
    return ids.map((id, i) => {
      const [minimum, restricted, maximum, total] = results.slice(i * 4, i * 4 + 4) as [
        bigint,
        readonly bigint[],
        bigint,
        bigint,
      ]
      // id 0 (the default) has no creation log; nor has one created before `fromBlock`
      const meta = created.get(id)
      return {
        id,
        name: meta?.name ?? (id === 0 ? 'default' : ''),
        blockExpiry: meta?.blockExpiry ?? 0n,
        baseRewardFeeForAttesters: meta?.baseRewardFeeForAttesters ?? 0n,
        baseRewardFeeForPerformer: meta?.baseRewardFeeForPerformer ?? 0n,
        baseRewardFeeForAggregator: meta?.baseRewardFeeForAggregator ?? 0n,
        disputePeriodBlocks: meta?.disputePeriodBlocks ?? 0n,
        minimumVotingPower: minimum,
        restrictedAttesterIds: restricted.map((r) => toSafeNumber(r)).sort((a, b) => a - b),
        maximumNumberOfAttesters: toSafeNumber(maximum, true),
        // the OBLS answers the network total where no snapshot was stored: what the contract uses
        definitionTotal: total,
        internal: false,
      }
    })
  }

  const definitionCount = async (blockNumber?: bigint) =>
    Number(
      await read<number>(client, {
        ...ac,
        functionName: 'numOfTaskDefinitions',
        ...(blockNumber === undefined ? {} : { blockNumber }),
      }),
    )

  return {
    kind: 'othentic',
    attestationCenter,
    registry,
    watched: [attestationCenter, registry],

    async getOperators(): Promise<OperatorRecord[]> {
      let blockNumber: bigint
      try {
        blockNumber = await getBlockNumber(client, { cacheTime: 0 })
      } catch (err) {
        throw toChainError(err, { functionName: 'eth_blockNumber' })
      }
      const details = await read<readonly { operator: Address; operatorId: bigint }[]>(client, {
        ...ac,
        functionName: 'getActiveOperatorsDetails',
        blockNumber,
      })
      if (details.length === 0) return []
      let results: readonly { status: 'success' | 'failure'; result?: unknown }[]
      try {
        results = await multicall(client, {
          contracts: details.flatMap((d) => [
            { ...obls, functionName: 'isActive', args: [d.operatorId] } as const,
            { ...obls, functionName: 'votingPower', args: [d.operatorId] } as const,
            // reverts for an inactive id: allowFailure keeps the others
            { ...obls, functionName: 'getOperatorBLSPubKey', args: [d.operatorId] } as const,
          ]),
          allowFailure: true,
          deployless: true,
          batchSize: BATCH_BYTES,
          blockNumber,
        })
      } catch (err) {
        throw toChainError(err, { address: registry, functionName: 'getOperatorBLSPubKey' })
      }
      const out: OperatorRecord[] = []
      details.forEach((d, i) => {
        const [active, power, key] = results.slice(i * 3, i * 3 + 3)
        if (active?.status !== 'success' || active.result !== true) return
        if (power?.status !== 'success' || key?.status !== 'success') return
        out.push({
          id: toSafeNumber(d.operatorId),
          address: getAddress(d.operator),
          blsPublicKey: wordsToBytes(key.result as readonly [bigint, bigint, bigint, bigint]),
          votingPower: power.result as bigint,
          active: true,
        })
      })
      return out.sort((a, b) => a.id - b.id)
    },

    async getOperatorId(address) {
      try {
        const id = await read<bigint>(client, {
          ...ac,
          functionName: 'operatorsIdsByAddress',
          args: [address],
        })
        return id === 0n ? undefined : toSafeNumber(id)
      } catch (err) {
        // Othentic reverts for an address that is not registered (Wisp's answers 0)
        if ((err as { code?: string }).code === 'OperatorNotRegistered') return undefined
        throw err
      }
    },

    getNetworkTotal: () => read<bigint>(client, { ...obls, functionName: 'totalVotingPower' }),

    async getTaskDefinitions() {
      const blockNumber = await getBlockNumber(client, { cacheTime: 0 }).catch((err: unknown) => {
        throw toChainError(err, { functionName: 'eth_blockNumber' })
      })
      const count = await definitionCount(blockNumber)
      return readDefinitions(
        Array.from({ length: count + 1 }, (_, id) => id),
        blockNumber,
      )
    },

    async getTaskDefinition(id) {
      checkDefinitionId(id)
      if (isInternalTaskDefinition(id)) return internalTaskDefinition(id)
      if (id > (await definitionCount())) return undefined
      return (await readDefinitions([id]))[0]
    },
  }
}
