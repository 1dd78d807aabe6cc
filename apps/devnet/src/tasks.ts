// A hash-chain task made and signed outside Wisp, as an AVS's own performer service would: the
// `sendTask` params for the aggregator's JSON-RPC. Tests, benchmarks and anyone poking at a
// running devnet use it.
import { hashChain } from '@wisp/plugin-hash-chain'
import { buildSendTaskParams, type TaskInfo, taskHash } from '@wisp/protocol'
import { bytesToHex } from 'viem'
import { sign } from 'viem/accounts'
import type { Devnet } from './devnet.js'

type Hex = `0x${string}`

export interface SignedTask {
  task: TaskInfo
  taskHash: Hex
  /** `sendTask` params (Othentic's order), ECDSA-signed by the devnet's performer */
  params: unknown[]
}

/** A hash-chain task over `seed`, signed by the devnet's designated performer (operator 1). */
export async function signedHashChainTask(
  devnet: Pick<Devnet, 'chain' | 'taskDefinitions' | 'options'>,
  seed: Uint8Array,
  options: { wrongProof?: boolean } = {},
): Promise<SignedTask> {
  const performer = devnet.chain.operators[0]!
  const task: TaskInfo = {
    proofOfTask: options.wrongProof
      ? `0x${'00'.repeat(32)}`
      : hashChain(seed, devnet.options.hashChainIterations),
    data: bytesToHex(seed),
    taskPerformer: performer.address,
    taskDefinitionId: devnet.taskDefinitions.hashChain,
  }
  const hash = taskHash(task)
  const signature = await sign({ hash, privateKey: performer.ecdsaKey, to: 'hex' })
  return {
    task,
    taskHash: hash,
    params: buildSendTaskParams({ task, signature: { type: 'ecdsa', signature } }),
  }
}

/** Sends a signed task to the devnet aggregator's JSON-RPC; throws on a JSON-RPC error. */
export async function sendSignedTask(jsonRpcUrl: string, signed: SignedTask): Promise<Hex> {
  const response = await fetch(jsonRpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendTask', params: signed.params }),
  })
  const answer = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (!response.ok || answer.error)
    throw new Error(`sendTask: ${answer.error?.message ?? `HTTP ${response.status}`}`)
  return signed.taskHash
}
