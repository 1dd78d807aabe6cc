import { afterAll, beforeAll, expect, it } from 'vitest'
import { startCluster, type Cluster } from './support/cluster.js'
import { makeOperators } from './support/fixtures.js'
import { nextMessage } from './support/wait.js'

let cluster: Cluster
beforeAll(async () => {
  cluster = await startCluster({ operators: makeOperators(3), peers: 2 })
})
afterAll(async () => {
  await cluster?.stop()
})

it('custom message goes from A to B', async () => {
  const [a, b] = cluster.peers
  const got = nextMessage(b!, 'customMessage')
  await a!.publish('customMessage', { data: '0x1234' })
  expect((await got).message.data).toBe('0x1234')
})
