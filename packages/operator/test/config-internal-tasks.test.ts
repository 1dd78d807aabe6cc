// aggregator.internalTasks / internalTasksIntervalMs (Othentic's --internal-tasks): defaults,
// values read, and a bad value is OPERATOR_INVALID_CONFIG naming the field.
import { describe, expect, it } from 'vitest'
import { OPERATOR_DEFAULTS, OperatorError, parseOperatorConfig } from '../src/index.js'

const minimal = {
  version: 1,
  network: { name: 'unit', kind: 'local' },
  chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, attestationCenter: `0x${'11'.repeat(20)}` },
  p2p: { bootstrap: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'] },
  roles: ['aggregator'],
}

function refusal(aggregator: Record<string, unknown>): { path: unknown; message: string } {
  try {
    parseOperatorConfig({ ...minimal, aggregator })
  } catch (err) {
    expect(err).toBeInstanceOf(OperatorError)
    expect((err as OperatorError).code).toBe('OPERATOR_INVALID_CONFIG')
    return { path: (err as OperatorError).details.path, message: (err as Error).message }
  }
  throw new Error(`accepted ${JSON.stringify(aggregator)}`)
}

describe('aggregator.internalTasks', () => {
  it('is off by default, every hour when on (Othentic’s defaults)', () => {
    expect(OPERATOR_DEFAULTS.aggregator).toMatchObject({
      internalTasks: false,
      internalTasksIntervalMs: 3_600_000,
    })
    expect(parseOperatorConfig(minimal).aggregator).toMatchObject({
      internalTasks: false,
      internalTasksIntervalMs: 3_600_000,
    })
    expect(
      parseOperatorConfig({
        ...minimal,
        aggregator: { internalTasks: true, internalTasksIntervalMs: 60_000 },
      }).aggregator,
    ).toMatchObject({ internalTasks: true, internalTasksIntervalMs: 60_000 })
  })

  it('refuses a bad value naming the field', () => {
    expect(refusal({ internalTasks: 'yes' }).path).toBe('config.aggregator.internalTasks')
    // Othentic's minimum is a minute
    const short = refusal({ internalTasksIntervalMs: 59_999 })
    expect(short.path).toBe('config.aggregator.internalTasksIntervalMs')
    expect(short.message).toMatch(
      /^config\.aggregator\.internalTasksIntervalMs: must be an integer in \[60000, /,
    )
    expect(refusal({ internalTasksIntervalMs: 1.5e5 + 0.5 }).path).toBe(
      'config.aggregator.internalTasksIntervalMs',
    )
    expect(refusal({ internalTasksIntervalMs: 2 ** 31 }).path).toBe(
      'config.aggregator.internalTasksIntervalMs',
    )
    expect(refusal({ internalTask: true }).path).toBe('config.aggregator.internalTask')
  })
})
