import { afterAll, beforeAll, expect, it } from 'vitest'
import { type E2eNetwork, startNetwork } from './support/network.ts'

let net: E2eNetwork
const t0 = Date.now()
beforeAll(async () => {
  net = await startNetwork()
  console.log('startup ms', Date.now() - t0, net.browsers.map((b) => b.operatorId), net.edge.operatorId)
})
afterAll(async () => {
  await net?.stop()
})
it('one task', async () => {
  for (let i = 0; i < 4; i++) {
    const t = await net.perform()
    const s = await net.aggregator.submitted(t.taskHash)
    console.log('task', i, s.event, s.attesterIds, s.at - t.sentAt)
  }
  const t = await net.sendTask()
  const s = await net.aggregator.submitted(t.taskHash)
  console.log('rpc task', s.event, s.attesterIds, s.at - t.sentAt)
  expect(s.event).toBe('TaskSubmitted')
})
