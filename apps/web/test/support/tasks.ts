// Tasks for the browsers to attest: hash-chain tasks signed with the test operator's ECDSA key
// and published through its JSON-RPC `sendTask`, exactly as an AVS's performer service would.
import { hashChain } from '@wisp/plugin-hash-chain'
import { taskHash } from '@wisp/protocol'
import { bytesToHex, stringToBytes } from 'viem'
import { sign } from 'viem/accounts'
import type { LocalNetworkInfo } from './types.ts'

let counter = 0

export interface SentTask {
  taskHash: `0x${string}`
  proofOfTask: string
  data: `0x${string}`
}

export async function sendTask(net: LocalNetworkInfo, options: { wrong?: boolean } = {}): Promise<SentTask> {
  const seed = stringToBytes(`web-test:${process.pid}:${Date.now()}:${counter++}`)
  const proof = hashChain(seed, net.iterations)
  const task = {
    proofOfTask: options.wrong ? `0x${'00'.repeat(32)}` : proof,
    data: bytesToHex(seed),
    taskPerformer: net.performerAddress,
    taskDefinitionId: net.definitionId,
  }
  const hash = taskHash(task)
  const signature = await sign({ hash, privateKey: net.performerKey, to: 'hex' })
  const response = await fetch(net.jsonRpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: counter,
      method: 'sendTask',
      params: [task.proofOfTask, task.data, task.taskDefinitionId, task.taskPerformer, signature],
    }),
  })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`sendTask: ${body.error.message}`)
  return { taskHash: hash, proofOfTask: task.proofOfTask, data: task.data }
}
