// Shared by the adversary suite and its benchmark: the devnet they run on, signed tasks driven
// through the aggregator's JSON-RPC, on-chain outcomes read back per task hash, and the figures.
import { getTaskEvents, type TaskOutcomeEvent } from '@wisp/chain'
import { type Devnet, type DevnetOptions, sendSignedTask, signedHashChainTask } from '@wisp/devnet'
import { taskHash } from '@wisp/protocol'
import { createPublicClient, http, type PublicClient, stringToBytes } from 'viem'
import type { RogueTarget } from './rogue.ts'

type Hex = `0x${string}`

/**
 * One small devnet: three Node attesters (40/30/20: any two of the three big ones are not
 * enough alone, all three are), the performer (10, does not attest) and one spare operator (10)
 * that tests use as a registered operator no node runs. Threshold: ⅔ of 110 → 74 (40+30+20 = 90).
 * Operator 1 leads every slot (one long round-robin slot), so signed tasks are always elected.
 */
export const ADVERSARY_DEVNET: Partial<DevnetOptions> = {
  ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
  web: false,
  schedule: false,
  attesterPowers: [40, 30, 20],
  performerPower: 10,
  spareOperators: 1,
  hashChainIterations: 100,
  aggregatorDelayMs: 300,
  blockTimeSeconds: 0.5,
  roundRobinInterval: 1_000_000,
  electionWindowBlocks: 64,
}

export function rogueTarget(devnet: Devnet): RogueTarget {
  return {
    deployment: { chainId: devnet.info.chainId, attestationCenter: devnet.info.attestationCenter },
    attesters: devnet.info.operators.filter((o) => o.name.startsWith('attester')).map((o) => o.address),
    performer: devnet.chain.operators[0]!.address,
    taskDefinitionId: devnet.taskDefinitions.hashChain,
  }
}

export interface ChainOutcomes {
  client: PublicClient
  read(): Promise<Map<Hex, TaskOutcomeEvent[]>>
  /** polls until every task has an outcome or the time is up; returns the outcomes */
  waitFor(hashes: Hex[], timeoutMs: number): Promise<Map<Hex, TaskOutcomeEvent[]>>
}

/** TaskSubmitted / TaskRejected events on chain, by task hash (all tasks have the devnet's performer). */
export function chainOutcomes(devnet: Devnet): ChainOutcomes {
  const client: PublicClient = createPublicClient({ transport: http(devnet.info.rpcUrl) })
  const performer = devnet.chain.operators[0]!.address
  const read = async (): Promise<Map<Hex, TaskOutcomeEvent[]>> => {
    const events = await getTaskEvents(client, {
      attestationCenter: devnet.info.attestationCenter,
      fromBlock: devnet.chain.startBlock,
    })
    const byTask = new Map<Hex, TaskOutcomeEvent[]>()
    for (const e of events) {
      const hash = taskHash({
        proofOfTask: e.proofOfTask,
        data: e.data,
        taskPerformer: performer,
        taskDefinitionId: e.taskDefinitionId,
      })
      byTask.set(hash, [...(byTask.get(hash) ?? []), e])
    }
    return byTask
  }
  return {
    client,
    read,
    async waitFor(hashes: Hex[], timeoutMs: number): Promise<Map<Hex, TaskOutcomeEvent[]>> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const byTask = await read()
        if (hashes.every((h) => byTask.has(h)) || Date.now() > deadline) return byTask
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    },
  }
}

/** Sends `count` signed hash-chain tasks over JSON-RPC, `gapMs` apart; when each was sent. */
export async function sendTasks(
  devnet: Devnet,
  label: string,
  count: number,
  gapMs: number,
): Promise<Array<{ taskHash: Hex; sentAt: number }>> {
  const sent: Array<{ taskHash: Hex; sentAt: number }> = []
  for (let i = 0; i < count; i++) {
    const signed = await signedHashChainTask(devnet, stringToBytes(`adversary/${label}/${i}`))
    const sentAt = Date.now()
    await sendSignedTask(devnet.info.jsonRpc, signed)
    sent.push({ taskHash: signed.taskHash, sentAt })
    if (i < count - 1) await new Promise((resolve) => setTimeout(resolve, gapMs))
  }
  return sent
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}
