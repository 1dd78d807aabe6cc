import { describe, expect, it } from 'vitest'
import { DEFAULT_TOPIC_NAMESPACE, gossipTopics, topicKind } from '../src/index.js'
import { expectCode } from './helpers.js'

describe('gossip topics', () => {
  it('default to Othentic’s names', () => {
    expect(DEFAULT_TOPIC_NAMESPACE).toBe('othentic')
    expect(gossipTopics()).toEqual({
      task: 'othentic.p2p.task',
      attestation: 'othentic.p2p.attest',
      taskSubmitted: 'othentic.p2p.task_submitted',
      customMessage: 'othentic.p2p.custom_message',
    })
  })

  it('take a namespace', () => {
    expect(gossipTopics('wisp-devnet.v1').task).toBe('wisp-devnet.v1.p2p.task')
  })

  it('map names back to kinds', () => {
    expect(topicKind('othentic.p2p.attest')).toBe('attestation')
    expect(topicKind('othentic.p2p.task_submitted')).toBe('taskSubmitted')
    expect(topicKind('x.p2p.task', 'x')).toBe('task')
    expect(topicKind('x.p2p.task')).toBeUndefined()
    expect(topicKind('othentic.p2p.tasks')).toBeUndefined()
  })

  it('refuse bad namespaces', () => {
    for (const ns of ['', '.a', 'a.', 'a..b', 'a b', 'a/b', 'x'.repeat(65), 5 as unknown as string]) {
      expectCode(() => gossipTopics(ns), 'TOPIC_INVALID_NAMESPACE')
    }
  })
})
