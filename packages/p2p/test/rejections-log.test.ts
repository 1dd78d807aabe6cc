// Rejected gossip in the operator's log: one warning per topic × reason per interval, the first at
// once, then a count of what followed. Unit checks of RejectionLog (real timers, short interval),
// then a relay over real WebSockets that a peer floods with malformed tasks.
import { afterAll, describe, expect, it } from 'vitest'
import {
  createMemoryMetrics,
  createNodePeer,
  createRelay,
  type Logger,
  type WispNetwork,
} from '../src/node/index.js'
import { RejectionLog } from '../src/validation/rejections.js'
import { waitForMesh } from './support/cluster.js'
import { waitFor } from './support/wait.js'

interface Line {
  level: string
  message: string
  fields: Record<string, unknown>
}

function recorder(lines: Line[]): Logger {
  const make = (): Logger => ({
    debug: (message, fields = {}) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields = {}) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields = {}) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields = {}) => lines.push({ level: 'error', message, fields }),
    child: () => make(),
  })
  return make()
}

describe('RejectionLog', () => {
  it('the first rejection of a class at once, the rest counted into one line per interval', async () => {
    const lines: Line[] = []
    const log = new RejectionLog({ intervalMs: 100 }, { logger: recorder(lines) })
    log.record('attestation', 'rate_limited', 'peer-a')
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'rejected 1 attestation message from 1 peer: rate_limited',
        fields: { topic: 'attestation', reason: 'rate_limited', count: 1, peers: ['peer-a'] },
      },
    ])
    // within the interval: counted, not written; another class has its own line
    for (const peer of ['peer-a', 'peer-b', 'peer-c', 'peer-b'])
      log.record('attestation', 'rate_limited', peer)
    log.record('task', 'malformed', 'peer-d')
    expect(lines.map((l) => l.message)).toEqual([
      'rejected 1 attestation message from 1 peer: rate_limited',
      'rejected 1 task message from 1 peer: malformed',
    ])
    const summary = await waitFor('the summary line', () =>
      lines.find((l) => l.message.includes('4 attestation')),
    )
    expect(summary.message).toMatch(
      /^rejected 4 attestation messages from 3 peers in \d+\.\d s: rate_limited$/,
    )
    expect(summary.fields).toMatchObject({ count: 4, peers: ['peer-a', 'peer-b', 'peer-c'] })
    log.close()
  })

  it('close() writes what is pending, then nothing more', () => {
    const lines: Line[] = []
    const log = new RejectionLog({ intervalMs: 3_600_000, peersNamed: 1 }, { logger: recorder(lines) })
    log.record('taskSubmitted', 'false_outcome', 'p1')
    log.record('taskSubmitted', 'false_outcome', 'p2')
    log.record('taskSubmitted', 'false_outcome', 'p3')
    log.close()
    log.record('taskSubmitted', 'false_outcome', 'p4')
    expect(lines.map((l) => l.message)).toEqual([
      'rejected 1 taskSubmitted message from 1 peer: false_outcome',
      expect.stringMatching(/^rejected 2 taskSubmitted messages from 2 peers in \d+\.\d s: false_outcome$/),
    ])
    expect(lines[1]!.fields.peers).toEqual(['p2'])
  })
})

describe('a relay flooded with malformed tasks', () => {
  let relay: WispNetwork | undefined
  let mallory: WispNetwork | undefined
  afterAll(async () => {
    await mallory?.stop()
    await relay?.stop()
  })

  it('warns once at the first, and counts the rest into a summary (written at the latest on stop)', async () => {
    const lines: Line[] = []
    const metrics = createMemoryMetrics()
    relay = await createRelay(
      { listen: ['/ip4/127.0.0.1/tcp/0/ws'], topicNamespace: 'wisp-test' },
      { logger: recorder(lines), metrics },
    )
    mallory = await createNodePeer({ bootstrap: [], topicNamespace: 'wisp-test' })
    await mallory.dial(relay.getMultiaddrs()[0]!)
    await waitForMesh(relay, mallory)
    const sent = 5
    for (let i = 0; i < sent; i++) {
      // not a task: undecodable bytes (distinct, so gossipsub does not drop copies as duplicates)
      await mallory.libp2p.services.pubsub.publish(mallory.topics.task, Uint8Array.from([0xff, 0xff, i]))
    }
    await waitFor('every copy judged', () => metrics.count('task', 'reject', 'malformed') === sent)
    const rejected = () => lines.filter((l) => l.level === 'warn' && l.message.startsWith('rejected '))
    expect(rejected()[0]).toEqual({
      level: 'warn',
      message: 'rejected 1 task message from 1 peer: malformed',
      fields: { topic: 'task', reason: 'malformed', count: 1, peers: [mallory.peerId] },
    })
    await relay.stop()
    relay = undefined
    // one line for the first, then counts (one line per 10 s interval): never a line per message
    const all = rejected()
    expect(all.length).toBeLessThan(sent)
    expect(all.reduce((n, l) => n + (l.fields.count as number), 0)).toBe(sent)
    expect(all.at(-1)!.message).toMatch(
      /^rejected \d+ task messages? from 1 peer in \d+(\.\d)? s: malformed$/,
    )
  })
})
