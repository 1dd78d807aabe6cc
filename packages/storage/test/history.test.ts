import { describe, expect, it } from 'vitest'
import { History, MemoryStore } from '../src/index.js'

const h = (i: number) => `0x${i.toString(16).padStart(64, '0')}` as const

describe('History', () => {
  it('lists attestations newest first, limited', async () => {
    const history = new History(new MemoryStore())
    for (let i = 0; i < 5; i++) {
      await history.addAttestation({
        taskHash: h(i),
        taskDefinitionId: 1,
        operator: '2',
        verdict: 'approve',
        at: 1000 + i,
      })
    }
    const recent = await history.recentAttestations(3)
    expect(recent.map((r) => r.taskHash)).toEqual([h(4), h(3), h(2)])
  })

  it('keeps one outcome per task; a later outcome replaces the earlier one', async () => {
    const history = new History(new MemoryStore())
    await history.setOutcome({ taskHash: h(1), status: 'failed', at: 10 })
    await history.setOutcome({
      taskHash: h(2),
      status: 'submitted',
      at: 20,
      txHash: h(99),
      attesterIds: [1, 2],
    })
    await history.setOutcome({ taskHash: h(1), status: 'rejected', at: 30 })
    expect(await history.getOutcome(h(1))).toMatchObject({ status: 'rejected' })
    expect((await history.recentOutcomes()).map((o) => [o.taskHash, o.status])).toEqual([
      [h(1), 'rejected'],
      [h(2), 'submitted'],
    ])
    expect(await history.getOutcome(h(3))).toBeUndefined()
  })
})
