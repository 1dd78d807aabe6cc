// The lines an operator sees from an attester that validates through an external service (a real
// HTTP server on loopback): each task's verdict at info; every abstention at warn with its cause
// (the URL and HTTP status, the timeout, the refused connection); a service that gives no verdict
// several tasks in a row reported once, and its recovery.
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHashChainPlugin } from '@wisp/plugin-hash-chain'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Engine, Logger } from '../src/index.js'
import { MemoryGossipBus, ModelChain, makeOperators, startNode } from './support/harness.js'

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields: Record<string, unknown>
}

function recordingLogger(lines: Line[]): Logger {
  const make = (): Logger => ({
    debug: (message, fields = {}) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields = {}) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => lines.push({ level: 'error', message, fields }),
    child: () => make(),
  })
  return make()
}

const hashChain = createHashChainPlugin({ taskDefinitionIds: [1] })
const config = { iterations: 5 }
const fetchImpl = (url: string, init: object) => fetch(url, init as RequestInit)

/** The AVS's validation service: answers as `answer` says at the time of the request. */
let answer: (res: ServerResponse) => void = () => undefined
let server: Server
let serviceUrl: string
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on('end', () => answer(res))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(
  () =>
    new Promise<void>((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
)

const json = (status: number, body: unknown) => (res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))

let engines: Engine[] = []
afterEach(async () => {
  await Promise.all(engines.map((e) => e.stop()))
  engines = []
})

/** a performer (operator 1, elected at even blocks) and one attester asking `url` */
async function avs(url: string, timeoutMs = 2_000) {
  const { operators, records } = makeOperators(2)
  const chain = new ModelChain(records) // block 100: round robin over 2 elects operator 1
  const bus = new MemoryGossipBus()
  const lines: Line[] = []
  const performer = startNode(bus, chain, {
    operator: operators[0]!,
    options: { performer: { taskDefinitionIds: [1] } },
    plugins: [{ plugin: hashChain, config }],
  })
  const attester = startNode(bus, chain, {
    operator: operators[1]!,
    options: { attester: { validationService: { url, timeoutMs, warnAfterFailures: 2 } } },
    plugins: [{ plugin: hashChain, config }],
    components: { fetch: fetchImpl, logger: recordingLogger(lines) },
  })
  engines.push(performer, attester)
  await Promise.all(engines.map((e) => e.start()))
  /** one task through the attester: its hash, and the lines logged while it was decided */
  const task = async () => {
    const from = lines.length
    const decided = attester.events.once('vote:decided')
    const [published] = await performer.performer!.tick('test')
    await decided
    return { taskHash: published!.taskHash, lines: lines.slice(from).filter((l) => l.level !== 'debug') }
  }
  return { task, lines }
}

describe('attester logs with a validation service', () => {
  it('verdicts at info, abstentions at warn naming URL and status, "no verdict N in a row" once, recovery', async () => {
    const { task } = await avs(serviceUrl)
    const endpoint = `${serviceUrl}/task/validate`

    answer = json(200, { data: true, error: false, message: null })
    const approved = await task()
    expect(approved.lines).toEqual([
      {
        level: 'info',
        message: 'task approved',
        fields: expect.objectContaining({ taskHash: approved.taskHash, definition: 1, verdict: 'approve' }),
      },
    ])

    answer = json(200, { data: false, error: false, message: 'wrong digest' })
    const rejected = await task()
    expect(rejected.lines).toEqual([
      {
        level: 'info',
        message: 'task rejected',
        fields: expect.objectContaining({
          taskHash: rejected.taskHash,
          verdict: 'reject',
          reason: 'wrong digest',
        }),
      },
    ])

    answer = json(500, { data: {}, error: true, message: 'db down' })
    const first = await task()
    expect(first.lines).toEqual([
      {
        level: 'warn',
        message: `task abstained: ${endpoint} answered HTTP 500: db down`,
        fields: expect.objectContaining({
          taskHash: first.taskHash,
          definition: 1,
          verdict: 'abstain',
          cause: 'SERVICE_ERROR',
          url: endpoint,
          status: 500,
        }),
      },
    ])
    // the second task in a row without a verdict: the service is reported as not answering, once
    answer = (res) => res.writeHead(404).end()
    const second = await task()
    // (the service's health line comes first: it is decided as the answer arrives)
    expect(second.lines.map((l) => [l.level, l.message])).toEqual([
      [
        'warn',
        `validation service ${endpoint} gave no verdict for 2 tasks in a row: every task is abstained until it answers`,
      ],
      ['warn', `task abstained: ${endpoint} answered HTTP 404`],
    ])
    expect(second.lines[0]!.fields).toMatchObject({ cause: 'HTTP_STATUS', status: 404 })
    answer = (res) => res.writeHead(200).end('not json')
    const third = await task()
    expect(third.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', `task abstained: ${endpoint} answered HTTP 200: answer has no boolean data or data.result`],
    ])
    expect(third.lines[0]!.fields).toMatchObject({ cause: 'MALFORMED_ANSWER' })

    answer = json(200, { data: true, error: false, message: null })
    const back = await task()
    expect(back.lines.map((l) => [l.level, l.message])).toEqual([
      ['info', `validation service ${endpoint} gives verdicts again`],
      ['info', 'task approved'],
    ])
    expect(back.lines[0]!.fields).toMatchObject({ tasksWithoutVerdict: 3 })
  })

  it('a service that does not answer in time: the abstention names the URL and the timeout', async () => {
    const { task } = await avs(serviceUrl, 150)
    answer = () => undefined // holds the request
    const hung = await task()
    expect(hung.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', `task abstained: no answer from ${serviceUrl}/task/validate in 150 ms`],
    ])
    expect(hung.lines[0]!.fields).toMatchObject({ cause: 'TIMEOUT', url: `${serviceUrl}/task/validate` })
  })

  it('a service nobody listens on (the port an operator forgot): the abstention names the URL and the refusal', async () => {
    // a port that was free a moment ago
    const probe = createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`
    await new Promise<void>((r) => probe.close(() => r()))
    const { task } = await avs(closed)
    const refused = await task()
    expect(refused.lines).toHaveLength(1)
    expect(refused.lines[0]!.level).toBe('warn')
    expect(refused.lines[0]!.message).toMatch(
      new RegExp(`^task abstained: POST ${closed}/task/validate failed: fetch failed: connect ECONNREFUSED`),
    )
    expect(refused.lines[0]!.fields).toMatchObject({
      cause: 'UNREACHABLE',
      url: `${closed}/task/validate`,
    })
  })
})
