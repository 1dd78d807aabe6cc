// End to end on real parts: anvil with our contracts, a libp2p relay, a performer, an aggregator
// and four attesters as in-process Node operators talking over loopback WebSockets.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { attestationCenterAbi } from '@wisp/contracts'
import { ANVIL_DEV_KEYS } from '@wisp/contracts/dev'
import type { EngineEvents } from '@wisp/core'
import { createConsoleLogger, startWispNode, type WispNode } from '@wisp/node'
import { hashChain } from '@wisp/plugin-hash-chain'
import { buildSendTaskParams, type TaskInfo, taskHash } from '@wisp/protocol'
import { createPublicClient, http, stringToHex } from 'viem'
import { sign } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Devnet, startDevnet, waitForMesh } from '../src/devnet.js'

type Hex = `0x${string}`
const ITERATIONS = 500
const dataDir = mkdtempSync(join(tmpdir(), 'wisp-devnet-'))
let devnet: Devnet
const lines: string[] = []
const extraNodes: WispNode[] = []

beforeAll(async () => {
  devnet = await startDevnet(
    {
      dataDir,
      ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
      web: false,
      schedule: false,
      hashChainIterations: ITERATIONS,
      // one long slot: operator 1 (the performer) leads every block of the test; nobody else does
      roundRobinInterval: 100_000,
      electionWindowBlocks: 4,
    },
    { logger: createConsoleLogger({ level: 'warn' }), print: (line) => lines.push(line) },
  )
}, 120_000)

afterAll(async () => {
  for (const node of extraNodes) await node.stop().catch(() => undefined)
  await devnet?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

function submitted(node: WispNode, hash: Hex): Promise<EngineEvents['submission:sent']> {
  return node.engine.events.once('submission:sent', (e) => e.taskHash === hash)
}

async function rpc(
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const response = await fetch(devnet.info.jsonRpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  return (await response.json()) as { result?: unknown; error?: { code: number; message: string } }
}

/** A hash-chain task made and signed outside Wisp, as an AVS's own performer service would. */
async function externalTask(performerIndex: number, proofOverride?: string) {
  const op = devnet.chain.operators[performerIndex]!
  const seed = stringToHex(`external:${Date.now()}:${Math.random()}`)
  const task: TaskInfo = {
    proofOfTask: proofOverride ?? hashChain(Buffer.from(seed.slice(2), 'hex'), ITERATIONS),
    data: seed,
    taskPerformer: op.address,
    taskDefinitionId: devnet.taskDefinitions.hashChain,
  }
  const signature = await sign({ hash: taskHash(task), privateKey: op.ecdsaKey, to: 'hex' })
  return {
    task,
    hash: taskHash(task),
    params: buildSendTaskParams({ task, signature: { type: 'ecdsa', signature } }),
  }
}

describe('the local network on anvil', () => {
  it('tasks of both plugins finalize on-chain with the expected attester ids', async () => {
    const performer = devnet.performer.engine.performer!
    const [a, b] = await Promise.all([
      performer.performOnce(devnet.taskDefinitions.hashChain),
      performer.performOnce(devnet.taskDefinitions.priceOracle),
    ])
    const [sa, sb] = await Promise.all([
      submitted(devnet.aggregator, a.taskHash),
      submitted(devnet.aggregator, b.taskHash),
    ])
    for (const s of [sa, sb]) {
      expect(s.event).toBe('TaskSubmitted')
      expect(s.attesterIds).toEqual([2, 3, 4, 5])
    }
    // the events are on chain, with the ids the contract checked
    const client = createPublicClient({ transport: http(devnet.info.rpcUrl) })
    const logs = await client.getContractEvents({
      address: devnet.info.attestationCenter,
      abi: attestationCenterAbi,
      eventName: 'TaskSubmitted',
      fromBlock: 0n,
    })
    const proofs = logs.map((l) => (l.args as { proofOfTask: string }).proofOfTask)
    expect(proofs).toContain(a.task.proofOfTask)
    expect(proofs).toContain(b.task.proofOfTask)
    const ids = (logs[0]!.args as { attestersIds: readonly bigint[] }).attestersIds.map(Number)
    expect(ids).toEqual([2, 3, 4, 5])
    expect(lines.some((l) => l.includes('TaskSubmitted'))).toBe(true)
  })

  it('an external client sends an Othentic-style sendTask over JSON-RPC and it finalizes', async () => {
    const { hash, params } = await externalTask(0)
    expect(params).toHaveLength(5) // ECDSA: no signatureType
    const done = submitted(devnet.aggregator, hash)
    expect(await rpc('sendTask', params)).toMatchObject({ result: hash })
    expect(await done).toMatchObject({ event: 'TaskSubmitted', attesterIds: [2, 3, 4, 5] })
  })

  it('restartNode restarts the aggregator on its data directory and JSON-RPC port, and the devnet follows', async () => {
    const before = devnet.aggregator
    const restarted = await devnet.restartNode('aggregator', { downMs: 300 })
    expect(restarted).not.toBe(before)
    expect(devnet.aggregator).toBe(restarted)
    expect(restarted.jsonRpc!.url).toBe(before.jsonRpc!.url)
    const { hash, params } = await externalTask(0)
    const done = submitted(devnet.aggregator, hash)
    expect(await rpc('sendTask', params)).toMatchObject({ result: hash })
    expect(await done).toMatchObject({ event: 'TaskSubmitted', attesterIds: [2, 3, 4, 5] })
  })

  it('bad JSON-RPC input gets JSON-RPC errors', async () => {
    expect((await rpc('sendTask', ['only', 'three', 'params'])).error?.code).toBe(-32602)
    expect((await rpc('noSuchMethod', [])).error?.code).toBe(-32601)
    const bad = await fetch(devnet.info.jsonRpc, { method: 'POST', body: '{not json' })
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700)
  })

  it('a task whose proof is wrong ends in TaskRejected with the attesters’ reject votes', async () => {
    const { hash, params } = await externalTask(0, `0x${'00'.repeat(32)}`)
    const done = submitted(devnet.aggregator, hash)
    await rpc('sendTask', params)
    const result = await done
    expect(result.event).toBe('TaskRejected')
    expect(result.isApproved).toBe(false)
    expect(result.attesterIds.length).toBeGreaterThanOrEqual(2)
  })

  it('a performer that was not elected is refused before anything is gossiped', async () => {
    const { params } = await externalTask(4) // operator 5: registered and active, never the leader here
    const answer = (await rpc('sendTask', params)) as { error?: { code: number; data?: { code?: string } } }
    expect(answer.error).toMatchObject({ code: -32013, data: { code: 'SEND_TASK_NOT_ELECTED' } })
  })

  it('slashing protection refuses a conflicting vote after a restart', async () => {
    const attester = devnet.attesters[0]!
    const performer = devnet.performer.engine.performer!
    const published = await performer.performOnce(devnet.taskDefinitions.priceOracle)
    await submitted(devnet.aggregator, published.taskHash)
    expect(await attester.engine.slashing.getVote(attester.address, published.taskHash)).toBe('approve')

    // restart the attester on the same data directory; meanwhile the price source turns
    await attester.stop()
    const restarted = await startWispNode(devnet.configOf(attester.name), {
      logger: createConsoleLogger({ level: 'warn' }),
    })
    extraNodes.push(restarted)
    await waitForMesh(devnet.relay, [restarted.network.peerId])
    devnet.priceSource.setSkew(1.5)
    try {
      const refused = restarted.engine.events.once('vote:refused', (e) => e.taskHash === published.taskHash)
      const verdict = await restarted.engine.attester!.handleTask({
        message: {
          proofOfTask: published.task.proofOfTask,
          data: published.task.data,
          performer: published.task.taskPerformer,
          definitionId: published.task.taskDefinitionId,
          signature: published.signature,
        },
        from: 'replay',
      })
      expect(verdict).toMatchObject({ kind: 'reject' }) // it would now vote reject…
      expect((await refused).reason).toMatch(/already signed approve/) // …but refuses to sign it
    } finally {
      devnet.priceSource.setSkew(1)
    }
  })

  it('stopping attesters keeps finality while at least 2/3 of the voting power remains', async () => {
    // powers: performer 10 (does not attest), attesters 40, 30, 20, 10 → total 110, 73 needed
    const weakest = devnet.attesters[3]!
    await weakest.stop()
    const published = await devnet.performer.engine.performer!.performOnce(devnet.taskDefinitions.hashChain)
    expect(await submitted(devnet.aggregator, published.taskHash)).toMatchObject({
      event: 'TaskSubmitted',
      attesterIds: [2, 3, 4],
    })
  })

  it('an aggregator killed (SIGKILL) mid-run resumes its pending tasks after restart', async () => {
    // From here only operator 2 (power 40) listens: a task gets 40 of the 73 needed and stays pending.
    const [, op3, op4] = devnet.attesters
    const t0 = Date.now()
    const step = (what: string) => process.stderr.write(`[kill test] ${Date.now() - t0} ms: ${what}\n`)
    await Promise.all([op3!.stop(), op4!.stop(), devnet.aggregator.stop()])
    step('stopped')
    const aggregatorDir = join(dataDir, 'cli-aggregator')
    const cli = fileURLToPath(new URL('../../../packages/node/src/cli.ts', import.meta.url))
    const args = [
      '--conditions=@wisp/source',
      '--import',
      'tsx',
      cli,
      'aggregator',
      '--chain-rpc',
      devnet.info.rpcUrl,
      '--attestation-center',
      devnet.info.attestationCenter,
      '--private-key',
      ANVIL_DEV_KEYS[1]!,
      '--p2p.datadir',
      aggregatorDir,
      '--log-level',
      'debug',
      ...devnet.info.relay.flatMap((r) => ['--bootstrap', r]),
    ]
    const startAggregator = () => spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const waitForLine = (child: ChildProcess, pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        let seen = ''
        const onData = (chunk: Buffer) => {
          seen += chunk.toString()
          if (pattern.test(seen)) resolve(seen)
        }
        child.stderr!.on('data', onData)
        child.stdout!.on('data', onData)
        child.once('exit', (code) =>
          reject(new Error(`aggregator exited (${code}) before ${pattern}: ${seen.slice(-2000)}`)),
        )
        setTimeout(() => reject(new Error(`no ${pattern} within 30 s: ${seen.slice(-3000)}`)), 30_000)
      })

    const first = startAggregator()
    const startedLine = await waitForLine(first, /operator started.*peerId=(\S+)/)
    const peerId = /peerId=(\S+)/.exec(startedLine)![1]!
    step(`cli aggregator started ${peerId}`)
    await waitForMesh(devnet.relay, [peerId])
    step('meshed')
    let pendingVotes = 0
    first.stderr!.on('data', (chunk: Buffer) => {
      pendingVotes += (chunk.toString().match(/attestation received/g) ?? []).length
    })
    const published = await devnet.performer.engine.performer!.performOnce(devnet.taskDefinitions.hashChain)
    // the vote of operator 2 reaches the CLI aggregator and is persisted as pending
    const deadlineVote = Date.now() + 20_000
    while (pendingVotes === 0 && Date.now() < deadlineVote) await new Promise((r) => setTimeout(r, 50))
    step(`votes ${pendingVotes}`)
    expect(pendingVotes).toBeGreaterThanOrEqual(1)
    first.kill('SIGKILL')
    await new Promise((r) => first.once('exit', r))

    const second = startAggregator()
    try {
      await waitForLine(second, /resuming pending task/)
      step('resumed')
      // operators 3 and 4 come back and vote on the task: 40 + 30 + 20 ≥ 73
      for (const name of [op3!.name, op4!.name]) {
        const node = await startWispNode(devnet.configOf(name), {
          logger: createConsoleLogger({ level: 'warn' }),
        })
        extraNodes.push(node)
        await waitForMesh(devnet.relay, [node.network.peerId])
        await node.engine.attester!.handleTask({
          message: {
            proofOfTask: published.task.proofOfTask,
            data: published.task.data,
            performer: published.task.taskPerformer,
            definitionId: published.task.taskDefinitionId,
            signature: published.signature,
          },
          from: 'replay',
        })
      }
      const client = createPublicClient({ transport: http(devnet.info.rpcUrl) })
      const deadline = Date.now() + 30_000
      let found = false
      while (!found && Date.now() < deadline) {
        const logs = await client.getContractEvents({
          address: devnet.info.attestationCenter,
          abi: attestationCenterAbi,
          eventName: 'TaskSubmitted',
          fromBlock: 0n,
        })
        found = logs.some(
          (l) => (l.args as { proofOfTask: string }).proofOfTask === published.task.proofOfTask,
        )
        if (!found) await new Promise((r) => setTimeout(r, 250))
      }
      expect(found).toBe(true)
    } finally {
      second.kill('SIGTERM')
      await new Promise((r) => second.once('exit', r))
    }
  })
})
