// The example's execution service (the performer): POST /task/execute makes a task, signs it with
// the performer's ECDSA key and sends it to the aggregator's JSON-RPC `sendTask`, through ethers'
// JsonRpcProvider — as Othentic's example services do (the provider asks eth_chainId first).
import { createServer } from 'node:http'
import { AbiCoder, JsonRpcProvider, keccak256, SigningKey, Wallet } from 'ethers'
import { makeTask } from './task.mjs'

const rpc = process.env.OTHENTIC_CLIENT_RPC_ADDRESS ?? 'http://10.8.0.69:8545'
const definition = Number(process.env.TASK_DEFINITION_ID ?? 0)
const wallet = new Wallet(process.env.PRIVATE_KEY)
const provider = new JsonRpcProvider(rpc)
let counter = 0

async function sendTask() {
  const { data, proofOfTask } = makeTask(++counter)
  const hash = keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['string', 'bytes', 'address', 'uint16'],
      [proofOfTask, data, wallet.address, definition],
    ),
  )
  const signature = new SigningKey(wallet.privateKey).sign(hash).serialized
  return provider.send('sendTask', [proofOfTask, data, definition, wallet.address, signature, 'ecdsa'])
}

createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/task/execute') {
    res.writeHead(404).end()
    return
  }
  sendTask().then(
    (taskHash) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ taskHash })),
    (err) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message })),
  )
}).listen(Number(process.env.PORT ?? 4003), '0.0.0.0')
