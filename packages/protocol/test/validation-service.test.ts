import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  buildCustomMessageForward,
  buildValidationAnswer,
  buildValidationError,
  buildValidationRequest,
  noVote,
  parseValidationAnswer,
  parseValidationRequest,
  VALIDATION_SERVICE_PATHS,
} from '../src/index.js'
import { expectCode, thrown, vectors } from './helpers.js'

const t = vectors.task
const task = {
  proofOfTask: t.proofOfTask,
  data: t.data as Hex,
  taskDefinitionId: 3,
  taskPerformer: t.taskPerformer as Hex,
}

describe('requests', () => {
  it('builds {proofOfTask, data, taskDefinitionId, performer}', () => {
    expect(buildValidationRequest(task)).toEqual({
      proofOfTask: t.proofOfTask,
      data: t.data,
      taskDefinitionId: 3,
      performer: t.taskPerformer,
    })
    expect(VALIDATION_SERVICE_PATHS.validate).toBe('/task/validate')
  })

  it('parses what it builds', () => {
    expect(parseValidationRequest(buildValidationRequest(task))).toEqual(buildValidationRequest(task))
  })

  it('accepts taskDefinitionID, numeric strings and a missing performer', () => {
    expect(parseValidationRequest({ proofOfTask: 'p', data: '0x', taskDefinitionID: '12' })).toEqual({
      proofOfTask: 'p',
      data: '0x',
      taskDefinitionId: 12,
    })
    expect(
      parseValidationRequest({ proofOfTask: 'p', data: '0x', taskDefinitionID: 12 }).taskDefinitionId,
    ).toBe(12)
  })

  it('refuses bad bodies with VALIDATION_REQUEST_INVALID', () => {
    const good = buildValidationRequest(task)
    const cases: Array<[unknown, string]> = [
      [null, ''],
      [[good], ''],
      [{ ...good, proofOfTask: 1 }, 'proofOfTask'],
      [{ ...good, data: 'hello' }, 'data'],
      [{ ...good, taskDefinitionId: undefined }, 'taskDefinitionId'],
      [{ ...good, taskDefinitionId: '70000' }, 'taskDefinitionId'],
      [{ ...good, taskDefinitionId: '1e3' }, 'taskDefinitionId'],
      [{ ...good, performer: '0x1' }, 'performer'],
    ]
    for (const [body, field] of cases) {
      const err = thrown(() => parseValidationRequest(body))
      expect(err.code).toBe('VALIDATION_REQUEST_INVALID')
      expect(err.details.field).toBe(field)
    }
    expectCode(() => parseValidationRequest('{}'), 'VALIDATION_REQUEST_INVALID')
  })
})

describe('answers', () => {
  it('200 {data: bool} is approve or reject', () => {
    expect(parseValidationAnswer({ status: 200, body: { data: true, error: false, message: null } })).toEqual(
      { verdict: 'approve' },
    )
    expect(
      parseValidationAnswer({ status: 200, body: { data: false, error: false, message: null } }),
    ).toEqual({ verdict: 'reject' })
    // Othentic's example omits `message` (undefined is dropped by JSON)
    expect(parseValidationAnswer({ status: 200, body: '{"data":true,"error":false}' })).toEqual({
      verdict: 'approve',
    })
  })

  it('the alternate {data: {result: bool}} form', () => {
    expect(parseValidationAnswer({ status: 200, body: { data: { result: true } } })).toEqual({
      verdict: 'approve',
    })
    expect(parseValidationAnswer({ status: 200, body: '{"data":{"result":false}}' })).toEqual({
      verdict: 'reject',
    })
  })

  it('keeps a reject message, bounded', () => {
    expect(parseValidationAnswer({ status: 200, body: { data: false, message: 'price off' } })).toEqual({
      verdict: 'reject',
      message: 'price off',
    })
    const long = parseValidationAnswer({ status: 200, body: { data: false, message: 'x'.repeat(5000) } })
    expect(long.verdict === 'reject' && long.message?.length).toBe(512)
  })

  it('a service error is no vote, never reject', () => {
    expect(
      parseValidationAnswer({
        status: 500,
        body: { error: true, message: 'Something went wrong', data: {} },
      }),
    ).toEqual(noVote('SERVICE_ERROR', 'Something went wrong'))
    expect(
      parseValidationAnswer({ status: 200, body: { data: false, error: true, message: 'boom' } }),
    ).toMatchObject({
      verdict: 'no-vote',
      reason: 'SERVICE_ERROR',
    })
    expect(parseValidationAnswer({ status: 503, body: 'Service Unavailable' })).toMatchObject({
      verdict: 'no-vote',
      reason: 'SERVICE_ERROR',
    })
    expect(parseValidationAnswer({ status: 404, body: '' })).toMatchObject({
      verdict: 'no-vote',
      reason: 'HTTP_STATUS',
    })
    expect(parseValidationAnswer({ status: 400, body: { data: false } })).toMatchObject({
      verdict: 'no-vote',
      reason: 'HTTP_STATUS',
    })
  })

  it('an unreadable answer is no vote', () => {
    for (const body of [
      'not json',
      '',
      null,
      [],
      { data: 'true' },
      { data: 1 },
      { data: { result: 'yes' } },
      {},
      42,
    ]) {
      expect(parseValidationAnswer({ status: 200, body })).toMatchObject({
        verdict: 'no-vote',
        reason: 'MALFORMED_ANSWER',
      })
    }
    expect(parseValidationAnswer({ status: Number.NaN, body: {} })).toMatchObject({
      verdict: 'no-vote',
      reason: 'HTTP_STATUS',
    })
  })

  it('noVote builds the timeout/unreachable outcomes callers produce', () => {
    expect(noVote('TIMEOUT', 'no answer in 5 s')).toEqual({
      verdict: 'no-vote',
      reason: 'TIMEOUT',
      message: 'no answer in 5 s',
    })
  })

  it('answer builders for service implementers round-trip', () => {
    expect(parseValidationAnswer({ status: 200, body: buildValidationAnswer(true) })).toEqual({
      verdict: 'approve',
    })
    expect(parseValidationAnswer({ status: 200, body: buildValidationAnswer(false) })).toEqual({
      verdict: 'reject',
    })
    expect(parseValidationAnswer({ status: 500, body: buildValidationError('db down') })).toEqual(
      noVote('SERVICE_ERROR', 'db down'),
    )
    expect(buildValidationError('x')).toEqual({ data: {}, error: true, message: 'x' })
  })
})

describe('custom message forward', () => {
  it('is {data} for POST /p2p/message', () => {
    expect(VALIDATION_SERVICE_PATHS.customMessage).toBe('/p2p/message')
    expect(buildCustomMessageForward('0x01')).toEqual({ data: '0x01' })
  })
})
