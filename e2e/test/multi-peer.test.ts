// Multi-peer end to end (issue 6 §3), all on real parts and one network for the whole file:
// anvil with our contracts, a libp2p relay, the devnet's Node performer / aggregator / one weak
// Node attester, six browser attesters in real Chromium (six browser contexts: separate idb, each
// registering its own operator with the app's one-click registration) and one edge attester in
// real workerd. Voting powers make the quorum depend on the browsers: Node attester 10, edge 10,
// each browser 10, performer 10 (does not attest) → total 90, 60 to approve, 30 to reject.
// The tests run in order; each leaves the network running for the next.

import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { getOperatorPaymentDetail } from '@wisp/chain'
import { attestationCenterAbi } from '@wisp/contracts'
import { requiredVotingPower } from '@wisp/protocol'
import { waitFor } from '@wisp/test-utils'
import { createPublicClient, type Hex, http } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  forwardConsole,
  openApp,
  probes,
  unlock,
  waitForRunning,
  waitForWisp,
  wisp,
} from './support/browser.ts'
import { runBurst } from './support/burst.ts'
import { describeBrowsers, type E2eNetwork, startNetwork } from './support/network.ts'

const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url))
const BURST = 100

let net: E2eNetwork
const sideLog: string[] = []

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const t0 = Date.now()
  net = await startNetwork()
  process.stderr.write(
    `[e2e] network up in ${Date.now() - t0} ms: browsers ${net.browsers.map((b) => `${b.name}=op${b.operatorId}`).join(' ')}, edge=op${net.edge.operatorId}\n`,
  )
})

afterEach(async (test) => {
  // a failed test prints what every peer was doing
  if (test.task.result?.state === 'fail' && net !== undefined) process.stderr.write(`${await context()}\n`)
})

afterAll(async () => {
  await net?.stop()
})

const browserIds = () => net.browsers.map((b) => b.operatorId)
const lightIds = () => [...browserIds(), net.edge.operatorId]
const chain = () => createPublicClient({ transport: http(net.devnet.info.rpcUrl) })

/** The TaskSubmitted / TaskRejected event of a submission transaction, read back from the chain. */
async function onChainEvent(txHash: Hex) {
  const client = chain()
  const receipt = await client.getTransactionReceipt({ hash: txHash })
  const range = { fromBlock: receipt.blockNumber, toBlock: receipt.blockNumber }
  const [submitted, rejected] = await Promise.all([
    client.getContractEvents({
      address: net.devnet.info.attestationCenter,
      abi: attestationCenterAbi,
      eventName: 'TaskSubmitted',
      ...range,
    }),
    client.getContractEvents({
      address: net.devnet.info.attestationCenter,
      abi: attestationCenterAbi,
      eventName: 'TaskRejected',
      ...range,
    }),
  ])
  const log = [...submitted, ...rejected].find((l) => l.transactionHash === txHash)
  if (log === undefined) throw new Error(`no task event in ${txHash}`)
  const args = log.args as { proofOfTask: string; data: Hex; attestersIds: readonly bigint[] }
  return { event: log.eventName, ...args, attestersIds: args.attestersIds.map(Number) }
}

/** Every browser page shows a vote for each task (it received, validated and voted on it). */
async function everyBrowserVoted(tasks: Array<{ taskHash: Hex }>, timeoutMs = 60_000): Promise<void> {
  const hashes = JSON.stringify(tasks.map((t) => t.taskHash))
  await Promise.all(
    net.browsers.map((b) =>
      waitForWisp(b.page, `${hashes}.every((h) => w.status?.tasks.some((t) => t.taskHash === h && t.vote))`, {
        timeoutMs,
      }),
    ),
  )
}

const context = async () =>
  `${await describeBrowsers(net.browsers)}\n${net.logs()}\n${sideLog.slice(-20).join('\n')}`

describe('the local network with six browser attesters and an edge attester', () => {
  it('finalizes tasks on chain with the browser and edge operators in attestersIds, and the quorum needs the browsers', async () => {
    // the light operators registered on chain, each with its own operator id
    expect(new Set(lightIds()).size).toBe(7)
    const operators = await net.devnet.aggregator.chain.getOperators()
    const powerOf = (id: number) => operators.find((o) => o.id === id)!.votingPower
    for (const id of lightIds()) expect(operators.find((o) => o.id === id)?.active).toBe(true)
    const total = await net.devnet.aggregator.chain.getNetworkTotal()
    const nodeAttesters = net.devnet.info.operators
      .filter((o) => o.name.startsWith('attester-'))
      .map((o) => o.id)
    const nonBrowser = [...nodeAttesters, net.edge.operatorId].map(powerOf).reduce((a, b) => a + b, 0n)
    // without the browsers neither verdict can reach its threshold
    expect(nonBrowser).toBeLessThan(requiredVotingPower(total, true))
    expect(nonBrowser).toBeLessThan(requiredVotingPower(total, false))

    const tasks = [await net.perform('hashChain'), await net.sendTask(), await net.perform('priceOracle')]
    const included = new Set<number>()
    for (const task of tasks) {
      const sent = await net.aggregator.submitted(task.taskHash)
      expect(sent.event).toBe('TaskSubmitted')
      // on chain, from the event's own arguments
      const event = await onChainEvent(sent.txHash)
      expect(event.event).toBe('TaskSubmitted')
      expect(event.proofOfTask).toBe(task.task.proofOfTask)
      expect(event.attestersIds).toEqual(sent.attesterIds)
      const signed = event.attestersIds.map(powerOf).reduce((a, b) => a + b, 0n)
      expect(signed).toBeGreaterThanOrEqual(requiredVotingPower(total, true))
      expect(event.attestersIds.filter((id) => browserIds().includes(id)).length).toBeGreaterThanOrEqual(4)
      for (const id of event.attestersIds) included.add(id)
    }
    // every browser operator and the edge operator made it on chain
    expect([...included]).toEqual(expect.arrayContaining(lightIds()))
    await everyBrowserVoted(tasks)
    // the task definitions pay attesters: each dashboard shows the fees its operator accrued on chain
    for (const b of net.browsers) {
      const onChain = await getOperatorPaymentDetail(chain(), {
        attestationCenter: net.devnet.info.attestationCenter,
        operatorId: b.operatorId,
      })
      expect(onChain.feeToClaim).toBeGreaterThan(0n)
      await waitForWisp(b.page, `BigInt(w.status.operator.rewards) > 0n`, { timeoutMs: 30_000 })
    }
    // the browsers found each other through the relay's discovery topic and opened direct WebRTC
    // connections by themselves (each keeps up to 3)
    for (const b of net.browsers) {
      await waitForWisp(b.page, "w.status.p2p.peers.some((p) => p.kind === 'webrtc' && !p.limited)", {
        timeoutMs: 60_000,
      })
    }
    // the edge worker saw the outcome with its own id in it
    const edge = await net.edge.worker.status()
    expect(edge.counts?.published).toBeGreaterThanOrEqual(3)
  })

  it('two tabs of one operator never produce two votes: the second tab stands by, then takes over', async () => {
    const operator = net.browsers[0]!
    const second = await operator.context.newPage()
    forwardConsole(second, `${operator.name}/tab-2`, (line) => sideLog.push(line))
    await openApp(second, net.devnet.info.web!)
    await unlock(second)
    const standby = await waitForWisp(second, "w.view === 'standby'")
    expect(standby.lock).toBe('waiting')
    expect(standby.profile?.address).toBe(operator.address)
    expect(await second.getByTestId('status-pill').textContent()).toBe('Standby: another tab attests')

    const tasks = [await net.perform(), await net.sendTask(), await net.perform()]
    for (const task of tasks) {
      const sent = await net.aggregator.submitted(task.taskHash)
      expect(sent.attesterIds).toContain(operator.operatorId)
    }
    // the standby tab mirrors the attesting tab (BroadcastChannel) …
    await waitForWisp(second, `w.status?.tasks.some((t) => t.taskHash === '${tasks[2]!.taskHash}' && t.vote)`)
    // … and runs no engine: it opened no WebSocket and no RTCPeerConnection, so it has no way to vote
    const idle = await probes(second)
    expect(idle.sockets).toEqual([])
    expect(idle.peerConnections).toBe(0)
    for (const task of tasks) {
      const votes = net.aggregator.gossipVotes.filter(
        (v) => v.taskHash === task.taskHash && v.attester.toLowerCase() === operator.address.toLowerCase(),
      )
      // one vote (copies of it, re-published until the task is final, come from the attesting tab)
      expect(votes.length).toBeGreaterThanOrEqual(1)
      expect(new Set(votes.map((v) => v.from))).toEqual(new Set([operator.peerId]))
      expect(new Set(votes.map((v) => v.isApproved)).size).toBe(1)
    }

    // the attesting tab closes: the standby tab takes the Web Lock and attests, still one vote per task
    await operator.page.close()
    const taken = await waitForRunning(second)
    expect(taken.lock).toBe('held')
    operator.page = second
    operator.peerId = taken.status!.p2p.peerId!
    await net.waitForFullMesh()
    const after = [await net.perform(), await net.sendTask()]
    for (const task of after) {
      const sent = await net.aggregator.submitted(task.taskHash)
      expect(sent.attesterIds).toContain(operator.operatorId)
      const votes = net.aggregator.gossipVotes.filter(
        (v) => v.taskHash === task.taskHash && v.attester.toLowerCase() === operator.address.toLowerCase(),
      )
      // one vote (copies of it, re-published until the task is final, come from the attesting tab)
      expect(votes.length).toBeGreaterThanOrEqual(1)
      expect(new Set(votes.map((v) => v.from))).toEqual(new Set([operator.peerId]))
      expect(new Set(votes.map((v) => v.isApproved)).size).toBe(1)
    }
    // positive control of the socket probe: the tab that now attests did open its connection
    expect((await probes(second)).sockets.length).toBeGreaterThan(0)
  })

  it('a reloaded page keeps its history and slashing protection: it cannot sign a conflicting vote', async () => {
    const attester = net.browsers[1]!
    const task = await net.perform('priceOracle')
    await net.aggregator.submitted(task.taskHash)
    const w = await waitForWisp(
      attester.page,
      `w.status.history.some((h) => h.taskHash === '${task.taskHash}' && h.verdict === 'approve')`,
    )
    const historyBefore = w.status!.history.map((h) => h.taskHash)
    const ownVote = (approve: boolean) =>
      net.aggregator.gossipVotes.filter(
        (v) =>
          v.taskHash === task.taskHash &&
          v.attester.toLowerCase() === attester.address.toLowerCase() &&
          v.isApproved === approve,
      )
    // the recorder sees this operator's votes (positive control for the absence checked below)
    await waitFor('the approve vote on the aggregator’s gossip', () => ownVote(true).length >= 1)

    await attester.page.reload()
    await waitForWisp(attester.page, "w.view === 'unlock'")
    await unlock(attester.page)
    const reloaded = await waitForRunning(attester.page)
    attester.peerId = reloaded.status!.p2p.peerId!
    expect(reloaded.status!.history.map((h) => h.taskHash)).toEqual(expect.arrayContaining(historyBefore))
    expect(reloaded.status!.tasks.some((t) => t.taskHash === task.taskHash)).toBe(false) // a fresh engine
    await net.waitForFullMesh()

    // The price source turns; the same task (same taskHash), re-signed by the performer with BLS so
    // gossip does not drop it as a copy, reaches the reloaded page: it now judges it "reject" but
    // its slashing protection (idb) refuses to sign against its earlier approve.
    net.devnet.priceSource.setSkew(1.5)
    try {
      const answer = await net.rpc('sendTask', net.blsSignedParams(task.task))
      expect(answer.result).toBe(task.taskHash)
      const after = await waitForWisp(
        attester.page,
        `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.refused)`,
      )
      const view = after.status!.tasks.find((t) => t.taskHash === task.taskHash)!
      expect(view.verdict).toBe('reject') // it would vote reject now …
      expect(view.refused).toMatch(/approve/) // … but refuses: it already signed approve
      expect(view.vote).toBeUndefined()
      expect(after.status!.counts.refused).toBeGreaterThanOrEqual(1)
    } finally {
      net.devnet.priceSource.setSkew(1)
    }
    expect(ownVote(false)).toEqual([])
    // its one approve (copies of it are re-published until the task is final)
    expect(ownVote(true).length).toBeGreaterThanOrEqual(1)
    // and it attests new tasks normally
    const next = await net.perform()
    const sent = await net.aggregator.submitted(next.taskHash)
    await waitForWisp(
      attester.page,
      `w.status.tasks.some((t) => t.taskHash === '${next.taskHash}' && t.vote?.isApproved)`,
    )
    expect(sent.event).toBe('TaskSubmitted')
  })

  it('the relay restarts mid-run: browsers reconnect and no task is lost', async () => {
    const before = await net.perform()
    await net.aggregator.submitted(before.taskHash)
    const peersBefore = net.browsers.map((b) => b.peerId)

    // down for 3 s; tasks published meanwhile reach no peer at first
    let relayBack = false
    const restarting = net.devnet.restartRelay({ downMs: 3000 }).then(() => {
      relayBack = true
    })
    await waitFor(
      'the browsers to notice the relay is gone',
      async () =>
        (await Promise.all(net.browsers.map((b) => wisp(b.page)))).every(
          (w) => !w.status?.p2p.relayConnected,
        ),
      { timeoutMs: 10_000 },
    )
    const whileDown = [await net.sendTask(), await net.perform()]
    expect(relayBack).toBe(false)
    await restarting

    // every browser reconnects by itself (same page, same peer id) and rejoins the mesh
    await Promise.all(net.browsers.map((b) => waitForRunning(b.page, { timeoutMs: 60_000 })))
    await net.waitForFullMesh(60_000)
    const relayPeers = net.devnet.relay.connections().map((c) => c.peerId)
    expect(relayPeers).toEqual(expect.arrayContaining(peersBefore))
    const afterRestart = [await net.perform(), await net.sendTask()]

    for (const task of [...whileDown, ...afterRestart]) {
      const sent = await net.aggregator.submitted(task.taskHash, 60_000)
      expect(sent.event).toBe('TaskSubmitted')
      expect(sent.attesterIds.filter((id) => browserIds().includes(id)).length).toBeGreaterThanOrEqual(4)
    }
    // every browser votes on what is sent after it is back. A task sent while the relay was down
    // reaches a browser only when the performer publishes it again (or gossip's history serves
    // it): one still reconnecting may come after the task has finalized with the others (≥ 4
    // browsers, above), and copies stop once the outcome is on chain — nothing is lost to it.
    await everyBrowserVoted(afterRestart)
  })

  it('a wrong proof ends in TaskRejected with the browsers’ reject votes', async () => {
    const task = await net.sendTask({ wrongProof: true })
    const sent = await net.aggregator.submitted(task.taskHash)
    expect(sent.event).toBe('TaskRejected')
    expect(sent.isApproved).toBe(false)
    const event = await onChainEvent(sent.txHash)
    expect(event.event).toBe('TaskRejected')
    expect(event.proofOfTask).toBe(task.task.proofOfTask)
    const browsersIn = event.attestersIds.filter((id) => browserIds().includes(id))
    expect(browsersIn.length).toBeGreaterThanOrEqual(3)
    // each browser judged it wrong and signed a reject vote; the pages show the on-chain outcome
    await Promise.all(
      net.browsers.map((b) =>
        waitForWisp(
          b.page,
          `w.status.tasks.some((t) => t.taskHash === '${task.taskHash}' && t.verdict === 'reject' && t.vote?.isApproved === false && t.outcome?.confirmed && t.outcome.isApproved === false)`,
        ),
      ),
    )
    const rejects = net.aggregator.gossipVotes.filter((v) => v.taskHash === task.taskHash)
    expect(rejects.length).toBeGreaterThan(0)
    expect(rejects.every((v) => !v.isApproved)).toBe(true)
  })

  it(`a burst of ${BURST} tasks: all finalize, and no page runs a main-thread task over 50 ms`, {
    timeout: 300_000,
  }, async () => {
    const { report, taskHashes } = await runBurst(net, BURST)
    writeFileSync(
      fileURLToPath(new URL('../test-results/burst.json', import.meta.url)),
      JSON.stringify(report, null, 2),
    )
    process.stderr.write(`[e2e] burst: ${JSON.stringify(report)}\n`)
    expect(report.events).toEqual({ submitted: BURST, rejected: 0 })
    expect(report.browsersPerTask).toBeGreaterThanOrEqual(4)
    await everyBrowserVoted(
      taskHashes.map((taskHash) => ({ taskHash })),
      120_000,
    )

    // The trace covers the whole burst; its reading finds every page's control with its CPU time …
    expect(report.longTasksTraced.dataLoss).toBe(false)
    expect(report.controls.pagesWithMark).toBe(net.browsers.length)
    expect(report.controls.cpuMs.map((ms) => ms > 50)).toEqual(net.browsers.map(() => true))
    // … and during the burst no page's main thread ran a task over 50 ms of CPU.
    expect(report.longTasksTraced.overBudget).toEqual([])
    // The observer measures wall-clock time: on this shared 2-core machine the OS deschedules the
    // renderers while the network, workerd and five other pages run, so entries over 50 ms appear
    // whose CPU time is far below it (see README). With cores to spare, WISP_STRICT_LONGTASKS=1
    // asserts the observer's own verdict. Either way no page may freeze.
    if (process.env.WISP_STRICT_LONGTASKS === '1') {
      expect(report.longTasksObserved.perPage.map((p) => p.count)).toEqual(net.browsers.map(() => 0))
    }
    expect(report.longTasksObserved.maxWallMs).toBeLessThan(1000)

    // never two verdicts from one operator on one task (slashing), over the whole run
    const verdicts = new Map<string, Set<boolean>>()
    for (const v of net.aggregator.gossipVotes) {
      const key = `${v.taskHash}|${v.attester.toLowerCase()}`
      verdicts.set(key, (verdicts.get(key) ?? new Set()).add(v.isApproved))
    }
    expect([...verdicts.entries()].filter(([, s]) => s.size > 1)).toEqual([])
  })

  it('saves screenshots of every dashboard at the end of the run', async () => {
    const shots: string[] = []
    for (const b of net.browsers) {
      const w = await wisp(b.page)
      const latest = w.status!.tasks[0]!.taskHash
      // the dashboard has drawn the latest task with its on-chain outcome
      await b.page.waitForFunction(
        (hash) =>
          document
            .querySelector(`[data-testid=task-row][data-task="${hash}"]`)
            ?.getAttribute('data-included') === 'true',
        latest,
        { timeout: 30_000, polling: 250 },
      )
      expect(await b.page.getByTestId('status-pill').textContent()).toBe('Attesting')
      expect(await b.page.getByTestId('task-row').count()).toBeGreaterThan(5)
      const path = `${SCREENSHOTS}dashboard-${b.name}.png`
      await b.page.screenshot({ path, fullPage: true })
      shots.push(path)
    }
    // one at phone size too
    const phone = net.browsers[0]!.page
    await phone.setViewportSize({ width: 390, height: 844 })
    await phone.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, undefined, {
      timeout: 10_000,
    })
    await phone.screenshot({ path: `${SCREENSHOTS}dashboard-browser-1-phone.png` })
    shots.push(`${SCREENSHOTS}dashboard-browser-1-phone.png`)
    await phone.setViewportSize(net.options.viewport)
    process.stderr.write(`[e2e] screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}\n`)
  })
})
