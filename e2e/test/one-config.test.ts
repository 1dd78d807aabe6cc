// One config file, four runtimes (issue 10): the devnet writes its network's operator config to
// network.json, and from that one file a Node attester (the `wisp` CLI, `--config`), a page-mode
// browser attester, a worker-mode browser attester (the app serves the same file as its
// wisp-config.json) and an edge attester in workerd (the file is its WISP_CONFIG binding) join
// the same local network; each one's vote reaches the aggregator and lands on chain.
// Real parts only: anvil, libp2p over loopback, Chromium, workerd.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Devnet, sendSignedTask, signedHashChainTask, startDevnet } from '@wisp/devnet'
import { type RunningWorker, startEdgeWorker } from '@wisp/edge/local'
import { createConsoleLogger } from '@wisp/node'
import { launchChromium, waitFor } from '@wisp/test-utils'
import type { Browser, Page } from 'playwright-core'
import { stringToBytes } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKey, forwardConsole, openApp, registerAndRun, waitForWisp } from './support/browser.ts'

const CLI = fileURLToPath(new URL('../../packages/node/src/cli.ts', import.meta.url))
const ITERATIONS = 200

const dataDir = mkdtempSync(join(tmpdir(), 'wisp-one-config-'))
const log: string[] = []
let devnet: Devnet
let configPath: string
let cli: ChildProcess | undefined
let cliOutput = ''
let edge: RunningWorker | undefined
let browser: Browser | undefined
const pages: Page[] = []
/** who voted on which task, as the aggregator received it */
const votes = new Map<string, Set<number>>()
const ids = { node: 0, page: 0, worker: 0, edge: 0 }

beforeAll(async () => {
  devnet = await startDevnet(
    {
      dataDir: join(dataDir, 'devnet'),
      ports: { anvil: 0, relay: 0, jsonRpc: 0, metrics: 0, priceSource: 0, web: 0 },
      web: true,
      schedule: false,
      // one devnet attester; the rest of the voting power comes from the four runtimes under test
      attesterPowers: [10],
      performerPower: 10,
      spareOperators: 2,
      hashChainIterations: ITERATIONS,
      // long enough for every runtime's vote to make it into the submission
      aggregatorDelayMs: 4000,
    },
    { logger: createConsoleLogger({ level: 'warn', write: (l) => log.push(l) }), print: (l) => log.push(l) },
  )
  configPath = devnet.info.networkConfigPath
  devnet.aggregator.engine.events.on('attestation:received', (e) => {
    const set = votes.get(e.taskHash) ?? new Set()
    set.add(e.operatorId)
    votes.set(e.taskHash, set)
  })
  const [nodeOp, edgeOp] = devnet.info.spares
  ids.node = nodeOp!.id
  ids.edge = edgeOp!.id

  // Node: the CLI, as an operator runs it
  cli = spawn(
    process.execPath,
    [
      '--conditions=@wisp/source',
      '--import',
      'tsx',
      CLI,
      'attester',
      '--config',
      configPath,
      '--private-key',
      nodeOp!.ecdsaKey,
      '--p2p.datadir',
      join(dataDir, 'cli-attester'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  cli.stdout!.on('data', (d) => (cliOutput += d))
  cli.stderr!.on('data', (d) => (cliOutput += d))

  // edge: the same file as the WISP_CONFIG binding, the key as a secret
  const edgeStarting = startEdgeWorker({
    persistDir: join(dataDir, 'edge'),
    bindings: {
      WISP_CONFIG: readFileSync(configPath, 'utf8'),
      OPERATOR_PRIVATE_KEY: edgeOp!.ecdsaKey,
      KEEPALIVE_MS: '2000',
      LOG_LEVEL: 'warn',
    },
  })

  // browsers: the app's /wisp-config.json is the same file; one page-mode, one worker-mode
  browser = await launchChromium()
  for (const name of ['page', 'worker'] as const) {
    const context = await browser.newContext()
    const page = await context.newPage()
    forwardConsole(page, name, (l) => log.push(l))
    await openApp(page, devnet.info.web!)
    await createKey(page)
    const running = await registerAndRun(page, { timeoutMs: 120_000 })
    ids[name] = running.status!.operator.operatorId!
    if (name === 'worker') {
      await page.getByTestId('mode-worker').click()
      await waitForWisp(
        page,
        "w.status?.runtime === 'worker' && w.status.phase === 'running' && w.status.p2p.relayConnected && w.status.p2p.meshPeers > 0",
        { timeoutMs: 120_000 },
      )
    }
    pages.push(page)
  }
  edge = await edgeStarting
  await waitFor('the edge attester to run', async () => (await edge!.status()).state === 'running', {
    timeoutMs: 90_000,
    context: () => edge!.logs().slice(-2000),
  })
  await waitFor('the CLI attester to start', () => /operator started/.test(cliOutput), {
    timeoutMs: 90_000,
    context: () => cliOutput,
  })
}, 300_000)

afterAll(async () => {
  cli?.kill('SIGTERM')
  await browser?.close().catch(() => undefined)
  await edge?.stop().catch(() => undefined)
  await devnet?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

let counter = 0
/** A hash-chain task signed by the devnet's performer, sent through the aggregator's JSON-RPC. */
const sendTask = async () =>
  sendSignedTask(
    devnet.info.jsonRpc,
    await signedHashChainTask(devnet, stringToBytes(`one-config:${counter++}`)),
  )

describe('one operator config file', () => {
  it('is what the web app serves, byte for byte as JSON', async () => {
    const file = JSON.parse(readFileSync(configPath, 'utf8'))
    const served = await (await fetch(new URL('wisp-config.json', devnet.info.web!))).json()
    expect(served).toEqual(file)
  })

  it('starts a Node (CLI), a page, a worker-mode and an edge attester that each attest on the same network', async () => {
    const everyone = [ids.node, ids.page, ids.worker, ids.edge]
    expect(new Set(everyone).size).toBe(4)
    const submitted = new Promise<{ taskHash: string; attesterIds: number[] }>((resolve) => {
      const off = devnet.aggregator.engine.events.on('submission:sent', (e) => {
        if (everyone.every((id) => e.attesterIds.includes(id))) {
          off()
          resolve(e)
        }
      })
    })
    // a few tasks: a runtime still joining the mesh may miss the first
    let sent = 0
    let result: { taskHash: string; attesterIds: number[] } | undefined
    while (result === undefined && sent < 5) {
      await sendTask()
      sent++
      result = await Promise.race([
        submitted,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 20_000)),
      ])
    }
    const report = () =>
      `votes: ${JSON.stringify([...votes].map(([h, s]) => [h.slice(0, 10), [...s]]))} ids: ${JSON.stringify(ids)}\n${cliOutput.slice(-2000)}\n${log.slice(-40).join('\n')}`
    expect(result, report()).toBeDefined()
    expect(result!.attesterIds).toEqual(expect.arrayContaining(everyone))
    // each runtime's own status agrees: the page and the worker saw the outcome with their vote in it
    for (const page of pages) {
      const w = await waitForWisp(
        page,
        `w.status?.tasks.some((t) => t.taskHash === '${result!.taskHash}' && t.outcome?.included === true)`,
        { timeoutMs: 30_000 },
      )
      expect(w.status!.counts.published).toBeGreaterThan(0)
    }
    const edgeStatus = await edge!.status()
    expect(edgeStatus.counts?.published ?? 0, JSON.stringify(edgeStatus).slice(0, 2000)).toBeGreaterThan(0)
    // and the CLI attester logged the task line (task → verdict → vote → on-chain result)
    await waitFor(
      'the CLI task log line',
      () => cliOutput.includes(`task ${result!.taskHash.slice(0, 10)}`),
      {
        timeoutMs: 30_000,
        context: () => cliOutput.slice(-2000),
      },
    )
    expect(cliOutput).toMatch(/→ approve → vote sent to \d+ peers/)
  })
})
