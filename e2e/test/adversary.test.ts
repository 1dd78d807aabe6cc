// Hostile peers: one misbehaving peer cannot censor, stall or trick the network.
//
// Everything here is real: anvil with our contracts (double-attestation slashing and a challenger
// reward switched on), the devnet's libp2p relay in chain mode (operators, definitions and
// announced outcomes read from the contracts, BLS signatures checked), and the Node performer,
// aggregator and three attesters as in-process WispNodes talking over loopback WebSockets. The
// rogue peer is a real libp2p peer (`createNodePeer`) dialled to the relay that publishes raw
// bytes through gossipsub from a seeded PRNG (test/support/rogue.ts); the double-voting operator
// is a registered operator (the devnet's spare) with its own Wisp network node. No browsers and no
// workerd: the suite is small enough for CI (fixed seeds, bounded loops, ~3 min on 2 cores).
//
// Each case prints one JSON line `{"case": …, "triggered": n, "finalized": m, …}` and the lines
// are also written to test-results/adversary.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretKey } from '@wisp/bls'
import { getOperators } from '@wisp/chain'
import { attestationCenterAbi, testERC20Abi } from '@wisp/contracts'
import { type Devnet, signedHashChainTask, startDevnet, waitForMesh } from '@wisp/devnet'
import { createConsoleLogger } from '@wisp/node'
import { createBlsAuthSigner, createNodePeer, type WispNetwork } from '@wisp/p2p/node'
import {
  buildSendTaskParams,
  DOMAIN_TASKS,
  encodeMessage,
  type TaskInfo,
  taskHash,
  voteHash,
  type WireAttestation,
  type WireTask,
} from '@wisp/protocol'
import { waitFor } from '@wisp/test-utils'
import { keccak256, stringToBytes, stringToHex } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADVERSARY_DEVNET, chainOutcomes, rogueTarget, sendTasks } from './support/adversary.ts'
import { fakeTaskSubmitted, startRoguePeer } from './support/rogue.ts'

type Hex = `0x${string}`

const dataDir = mkdtempSync(join(tmpdir(), 'wisp-adversary-'))
const log: string[] = []
const figures: Record<string, unknown>[] = []
const extras: Array<{ stop(): Promise<void> }> = []
let devnet: Devnet
let outcomes: ReturnType<typeof chainOutcomes>

function report(line: Record<string, unknown>): void {
  figures.push(line)
  console.log(JSON.stringify(line))
}

/** every honest node's gossipsub score of the relay */
function relayScores(): Record<string, number> {
  const relay = devnet.relay.peerId
  const nodes = [devnet.performer, devnet.aggregator, ...devnet.attesters]
  return Object.fromEntries(nodes.map((n) => [n.name, n.network.score(relay)]))
}

async function rpc(
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number; data?: { code?: string } } }> {
  const response = await fetch(devnet.info.jsonRpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendTask', params }),
  })
  return (await response.json()) as { result?: unknown; error?: { code: number; data?: { code?: string } } }
}

beforeAll(async () => {
  devnet = await startDevnet(
    { ...ADVERSARY_DEVNET, dataDir: join(dataDir, 'devnet') },
    { logger: createConsoleLogger({ level: 'error', write: (l) => log.push(l) }), print: (l) => log.push(l) },
  )
  outcomes = chainOutcomes(devnet)
}, 120_000)

afterAll(async () => {
  for (const extra of extras) await extra.stop().catch(() => undefined)
  await devnet?.stop()
  mkdirSync('test-results', { recursive: true })
  writeFileSync('test-results/adversary.json', `${JSON.stringify(figures, null, 2)}\n`)
  rmSync(dataDir, { recursive: true, force: true })
}, 60_000)

describe('hostile peers', () => {
  it('a. a rogue peer floods 10 000 bad messages while tasks run: every task finalizes, the relay keeps its score, the rogue is cut off and banned', async () => {
    const relay = devnet.relay
    const rogue = await startRoguePeer({
      relay: devnet.info.relay,
      seed: 0xa11ce,
      target: rogueTarget(devnet),
    })
    extras.push(rogue)
    await waitFor(
      'the rogue subscribed at the relay',
      () => relay.topicPeers('attestation').includes(rogue.peerId),
      { timeoutMs: 15_000 },
    )

    const floodStarted = Date.now()
    let disconnectedAfterMs: number | null = null
    const watch = setInterval(() => {
      if (disconnectedAfterMs === null && !relay.connections().some((c) => c.peerId === rogue.peerId))
        disconnectedAfterMs = Date.now() - floodStarted
    }, 50)
    const [flood, tasks] = await Promise.all([
      rogue.flood(10_000),
      sendTasks(devnet, 'flood', 8, 400),
    ]).finally(() => undefined)
    const hashes = tasks.map((t) => t.taskHash)
    const byTask = await outcomes.waitFor(hashes, 60_000)
    await waitFor('the rogue cut off', () => disconnectedAfterMs !== null, { timeoutMs: 15_000 }).catch(
      () => undefined,
    )
    clearInterval(watch)
    const finalized = hashes.filter((h) => byTask.get(h)?.[0]?.event === 'TaskSubmitted').length
    const scores = relayScores()
    const banned = relay.banned().includes(rogue.peerId)
    report({
      case: 'a',
      triggered: hashes.length,
      finalized,
      rogueMessages: flood.sent + flood.failed,
      published: flood.sent,
      refused: flood.failed,
      floodMs: flood.durationMs,
      byKind: flood.byKind,
      disconnectedAfterMs,
      banned,
      relayScoreMin: Math.min(...Object.values(scores)),
      relayScores: scores,
    })
    expect(finalized).toBe(hashes.length)
    for (const [name, score] of Object.entries(scores)) expect(score, name).toBeGreaterThanOrEqual(0)
    expect(disconnectedAfterMs).not.toBeNull()
    expect(disconnectedAfterMs!).toBeLessThan(10_000)
    expect(banned).toBe(true)
    await rogue.stop()
  }, 150_000)

  it('b. fake TaskSubmitted announcements for live tasks suppress nothing, and their sender is penalized', async () => {
    const relay = devnet.relay
    const rogue = await startRoguePeer({ relay: devnet.info.relay, seed: 0xb0b, target: rogueTarget(devnet) })
    extras.push(rogue)
    await waitFor(
      'the rogue subscribed at the relay',
      () => relay.topicPeers('taskSubmitted').includes(rogue.peerId),
      { timeoutMs: 15_000 },
    )
    // every task the rogue sees is announced as done at once, with a transaction that never happened
    let fakes = 0
    const announced = new Set<string>()
    const off = rogue.network.onMessage('task', async ({ message }) => {
      const fake = fakeTaskSubmitted(message)
      if (announced.has(fake.taskId)) return
      announced.add(fake.taskId)
      for (let i = 0; i < 3; i++) {
        const txHash = keccak256(stringToHex(`fake/${fake.taskId}/${i}`))
        if (await rogue.publishRaw('taskSubmitted', encodeMessage('taskSubmitted', { ...fake, txHash })))
          fakes++
      }
    })
    const tasks = await sendTasks(devnet, 'fake-outcome', 5, 500)
    const hashes = tasks.map((t) => t.taskHash)
    const byTask = await outcomes.waitFor(hashes, 60_000)
    off()
    const finalized = hashes.filter((h) => byTask.get(h)?.[0]?.event === 'TaskSubmitted').length
    // the relay judged them against the chain: a few seconds at most (outcomeWindowMs)
    await waitFor(
      'the rogue penalized',
      () => relay.score(rogue.peerId) < 0 || !rogue.connectedTo(relay.peerId),
      {
        timeoutMs: 10_000,
      },
    ).catch(() => undefined)
    const rogueScore = relay.score(rogue.peerId)
    const connected = rogue.connectedTo(relay.peerId)
    report({
      case: 'b',
      triggered: hashes.length,
      finalized,
      suppressed: hashes.length - finalized,
      fakeAnnouncements: fakes,
      announcedTasks: announced.size,
      rogueScoreAtRelay: rogueScore,
      roguePenaltyAtRelay: relay.penalty(rogue.peerId),
      rogueConnected: connected,
      relayScoreMin: Math.min(...Object.values(relayScores())),
    })
    expect(announced.size).toBeGreaterThan(0)
    expect(finalized).toBe(hashes.length)
    expect(rogueScore < 0 || !connected).toBe(true)
    await rogue.stop()
  }, 120_000)

  it('c. a registered operator that votes both ways is left out of the outcome and slashed; the watchtower (the aggregator) is paid', async () => {
    const spare = devnet.info.spares[0]!
    const key = SecretKey.fromBytes(spare.blsSecretKey)
    const deployment = { chainId: devnet.info.chainId, attestationCenter: devnet.info.attestationCenter }
    // the spare's own Wisp node, answering operator-auth challenges as itself
    const network: WispNetwork = await createNodePeer(
      { bootstrap: devnet.info.relay, deployments: [deployment] },
      { signer: createBlsAuthSigner({ operatorId: spare.id, address: spare.address }, key) },
    )
    extras.push(network)
    await waitForMesh(devnet.relay, [network.peerId])
    const client = outcomes.client
    const center = devnet.info.attestationCenter
    const challenger = devnet.aggregator.address
    const rewardToken = devnet.chain.contracts.rewardToken
    const balance = () =>
      client.readContract({
        address: rewardToken,
        abi: testERC20Abi,
        functionName: 'balanceOf',
        args: [challenger],
      })
    const powerOf = async () =>
      (await getOperators(client, { attestationCenter: center })).find((o) => o.id === spare.id)!.votingPower
    const [balanceBefore, powerBefore] = [await balance(), await powerOf()]
    const fromBlock = await client.getBlockNumber()

    const vote = (task: WireTask, isApproved: boolean): WireAttestation => {
      const info: TaskInfo = {
        proofOfTask: task.proofOfTask,
        data: task.data,
        taskPerformer: task.performer,
        taskDefinitionId: task.definitionId,
      }
      const [x, y] = key.sign(DOMAIN_TASKS, voteHash(info, { ...deployment, isApproved })).toEvm()
      return {
        proofOfTask: task.proofOfTask,
        data: task.data,
        performer: { address: task.performer, signature: task.signature },
        attester: { address: spare.address, signature: { x, y } },
        isApproved,
        definitionId: task.definitionId,
      }
    }
    const signed = await signedHashChainTask(devnet, stringToBytes('adversary/double-vote'))
    // what the aggregator made of the two votes (both should reach it: the second is the proof)
    const aggregatorSaw: string[] = []
    const offSaw = devnet.aggregator.engine.events.on('attestation:received', (e) => {
      if (e.taskHash === signed.taskHash && e.operatorId === spare.id)
        aggregatorSaw.push(e.isApproved ? 'approve' : 'reject')
    })
    const offDropped = devnet.aggregator.engine.events.on('attestation:dropped', (e) => {
      if (e.operatorId === spare.id) aggregatorSaw.push(`dropped: ${e.reason}`)
    })
    const published: string[] = []
    const seen = new Promise<void>((resolve) => {
      const off = network.onMessage('task', async ({ message }) => {
        if (
          taskHash({
            ...message,
            taskPerformer: message.performer,
            taskDefinitionId: message.definitionId,
          }) !== signed.taskHash
        )
          return
        off()
        for (const isApproved of [true, false]) {
          const attestation = vote(message, isApproved)
          // through our own encoder and validators when they let it out; raw otherwise (a
          // node of ours may refuse to publish its own contradiction)
          try {
            await network.publish('attestation', attestation)
            published.push(isApproved ? 'approve' : 'reject')
          } catch {
            await network.libp2p.services.pubsub.publish(
              network.topics.attestation,
              encodeMessage('attestation', attestation),
            )
            published.push(isApproved ? 'approve (raw)' : 'reject (raw)')
          }
        }
        resolve()
      })
    })
    await rpc(signed.params as unknown[])
    await seen
    const byTask = await outcomes.waitFor([signed.taskHash], 60_000)
    const outcome = byTask.get(signed.taskHash)?.[0]

    const events = async () => ({
      slashed: await client.getContractEvents({
        address: center,
        abi: attestationCenterAbi,
        eventName: 'OperatorSlashed',
        fromBlock,
      }),
      rewarded: await client.getContractEvents({
        address: center,
        abi: attestationCenterAbi,
        eventName: 'ChallengerRewarded',
        fromBlock,
      }),
    })
    let found = await events()
    const deadline = Date.now() + 30_000
    while ((found.slashed.length === 0 || found.rewarded.length === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      found = await events()
    }
    const slash = found.slashed.find((e) => Number(e.args.operatorId) === spare.id)
    const reward = found.rewarded.find((e) => e.args.challenger?.toLowerCase() === challenger.toLowerCase())
    const [balanceAfter, powerAfter] = [await balance(), await powerOf()]
    offSaw()
    offDropped()
    report({
      case: 'c',
      triggered: 1,
      finalized: outcome?.event === 'TaskSubmitted' ? 1 : 0,
      published,
      aggregatorSaw,
      attesterIds: outcome?.attesterIds ?? null,
      doubleVoterId: spare.id,
      slashedTaskHash: slash?.args.taskHash ?? null,
      slashedStake: slash?.args.slashedStake?.toString() ?? null,
      challengerReward: reward?.args.amount?.toString() ?? null,
      challengerBalanceDelta: (balanceAfter - balanceBefore).toString(),
      votingPowerBefore: powerBefore.toString(),
      votingPowerAfter: powerAfter.toString(),
    })
    expect(outcome?.event).toBe('TaskSubmitted')
    expect(outcome!.attesterIds).not.toContain(spare.id)
    expect(slash?.args.taskHash).toBe(signed.taskHash)
    expect(reward?.args.amount).toBe(BigInt(devnet.info.slashing.challengerRewardFee))
    expect(balanceAfter - balanceBefore).toBeGreaterThanOrEqual(
      BigInt(devnet.info.slashing.challengerRewardFee),
    )
    expect(powerAfter).toBeLessThan(powerBefore)
    await network.stop()
  }, 120_000)

  it('d. the aggregator and then the relay go down for 5 s each while tasks run: no task lost, none submitted twice', async () => {
    const performer = () => devnet.performer.engine.performer!
    const triggered: Hex[] = []
    const refused: string[] = []
    let running = true
    const tasks = (async () => {
      while (running) {
        try {
          triggered.push((await performer().performOnce(devnet.taskDefinitions.hashChain)).taskHash)
        } catch (err) {
          refused.push((err as Error).message)
        }
        await new Promise((resolve) => setTimeout(resolve, 700))
      }
    })()
    const t0 = Date.now()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await devnet.restartNode('aggregator', { downMs: 5000 })
    const aggregatorBackAfterMs = Date.now() - t0
    await new Promise((resolve) => setTimeout(resolve, 1500))
    await devnet.restartRelay({ downMs: 5000 })
    const relayBackAfterMs = Date.now() - t0
    await new Promise((resolve) => setTimeout(resolve, 2000))
    running = false
    await tasks
    const byTask = await outcomes.waitFor(triggered, 90_000)
    const finalized = triggered.filter((h) => byTask.get(h)?.[0]?.event === 'TaskSubmitted').length
    const lost = triggered.filter((h) => !byTask.has(h))
    const twice = triggered.filter((h) => (byTask.get(h)?.length ?? 0) > 1)
    report({
      case: 'd',
      triggered: triggered.length,
      finalized,
      lost: lost.length,
      submittedTwice: twice.length,
      refusedByPerformer: refused.length,
      aggregatorBackAfterMs,
      relayBackAfterMs,
      relayScoreMin: Math.min(...Object.values(relayScores())),
    })
    expect(refused).toEqual([])
    expect(lost).toEqual([])
    expect(twice).toEqual([])
    expect(finalized).toBe(triggered.length)
  }, 180_000)

  it('e. JSON-RPC sendTask refuses bad tasks with stable codes and gossips none of them', async () => {
    // a listener on the task topic, to see whether anything is gossiped
    const listener = await createNodePeer({ bootstrap: devnet.info.relay })
    extras.push(listener)
    await waitForMesh(devnet.relay, [listener.peerId])
    const heard: string[] = []
    listener.onMessage('task', ({ message }) =>
      heard.push(
        taskHash({
          proofOfTask: message.proofOfTask,
          data: message.data,
          taskPerformer: message.performer,
          taskDefinitionId: message.definitionId,
        }),
      ),
    )
    const good = await signedHashChainTask(devnet, stringToBytes('adversary/rpc'))
    const { task } = good
    const stranger = privateKeyToAccount(keccak256(stringToHex('adversary/stranger')))
    const signedBy = async (t: TaskInfo, key: Hex) => sign({ hash: taskHash(t), privateKey: key, to: 'hex' })
    const ecdsaParams = (t: TaskInfo, signature: Hex) =>
      buildSendTaskParams({ task: t, signature: { type: 'ecdsa', signature } })
    const unknownDefinition: TaskInfo = { ...task, taskDefinitionId: 999 }
    const strangerTask: TaskInfo = { ...task, taskPerformer: stranger.address }
    const cases: Array<{ name: string; params: unknown[]; code: string; hash: Hex }> = [
      {
        name: 'wrong signer',
        params: ecdsaParams(
          task,
          await signedBy(task, keccak256(stringToHex('adversary/not-the-performer'))),
        ),
        code: 'SEND_TASK_BAD_SIGNATURE',
        hash: taskHash(task),
      },
      {
        name: 'random bytes',
        // 64 seeded-random bytes for r and s, with a well-formed v (27) so the request gets past
        // parsing to the signature check (a malformed v is RPC_INVALID_PARAMS, tested in @wisp/protocol)
        params: ecdsaParams(
          task,
          `${keccak256(stringToHex('adversary/random/1'))}${keccak256(stringToHex('adversary/random/2')).slice(2)}1b` as Hex,
        ),
        code: 'SEND_TASK_BAD_SIGNATURE',
        hash: taskHash(task),
      },
      {
        name: 'off-curve BLS point',
        params: [
          task.proofOfTask,
          task.data,
          task.taskDefinitionId,
          task.taskPerformer,
          '{"x":"0x1","y":"0x2"}',
          'bls',
        ],
        code: 'SEND_TASK_BAD_SIGNATURE',
        hash: taskHash(task),
      },
      {
        name: 'unknown definition',
        params: ecdsaParams(
          unknownDefinition,
          await signedBy(unknownDefinition, devnet.chain.operators[0]!.ecdsaKey),
        ),
        code: 'SEND_TASK_UNKNOWN_DEFINITION',
        hash: taskHash(unknownDefinition),
      },
      {
        name: 'unregistered performer',
        params: ecdsaParams(
          strangerTask,
          await signedBy(strangerTask, keccak256(stringToHex('adversary/stranger'))),
        ),
        code: 'SEND_TASK_INACTIVE_PERFORMER',
        hash: taskHash(strangerTask),
      },
    ]
    const answers: Record<string, unknown> = {}
    for (const c of cases) {
      const answer = await rpc(c.params)
      answers[c.name] = answer.error
        ? { code: answer.error.code, data: answer.error.data?.code }
        : { result: answer.result }
    }
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const gossiped = cases.filter((c) => heard.includes(c.hash)).map((c) => c.name)
    report({
      case: 'e',
      triggered: cases.length,
      finalized: 0,
      refused: Object.values(answers).filter((a) => (a as { data?: string }).data !== undefined).length,
      answers,
      gossiped,
    })
    for (const c of cases) expect(answers[c.name], c.name).toMatchObject({ data: c.code })
    expect(gossiped).toEqual([])
    await listener.stop()
  }, 60_000)
})
