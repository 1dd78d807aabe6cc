import { describe, expect, it } from 'vitest'
import { MemoryMetrics, silentLogger } from '../src/index.js'

describe('MemoryMetrics', () => {
  it('counts per series, labels in a stable order', () => {
    const m = new MemoryMetrics()
    m.increment('votes', { verdict: 'approve', def: '0' })
    m.increment('votes', { def: '0', verdict: 'approve' }, 2)
    m.increment('votes')
    expect(m.get('votes', { verdict: 'approve', def: '0' })).toBe(3)
    expect(m.toJSON()).toEqual({ votes: 1, 'votes{def=0,verdict=approve}': 3 })
  })

  it('keeps count and sum of observations', () => {
    const m = new MemoryMetrics()
    m.observe('latency', 2)
    m.observe('latency', 4)
    expect(m.observed.get('latency')).toEqual({ count: 2, sum: 6 })
  })
})

describe('silentLogger', () => {
  it('has children that say nothing', () => {
    expect(silentLogger.child('x').child('y')).toBe(silentLogger)
  })
})
