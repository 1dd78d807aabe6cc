import {
  createPeerScoreParams,
  createPeerScoreThresholds,
  validatePeerScoreParams,
  validatePeerScoreThresholds,
} from '@libp2p/gossipsub/score'
import { gossipTopics } from '@wisp/protocol'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_SCORING,
  gossipsubScoring,
  P2PError,
  parseSeed,
  peerIdFromSeed,
  randomSeed,
  resolveNetworkOptions,
} from '../src/index.js'
import { createNodePeer } from '../src/node/index.js'

describe('identity', () => {
  it('a 32-byte Ed25519 seed gives the same peer id every time', async () => {
    const seed = `0x${'42'.repeat(32)}`
    const id = await peerIdFromSeed(seed)
    expect(id).toMatch(/^12D3KooW/)
    expect(await peerIdFromSeed(seed)).toBe(id)
    const peer = await createNodePeer({ seed })
    expect(peer.peerId).toBe(id)
    await peer.stop()
    expect(await peerIdFromSeed(randomSeed())).not.toBe(id)
  })

  it('refuses seeds that are not 32 bytes of hex', () => {
    for (const bad of ['0x1234', `0x${'zz'.repeat(32)}`, `${'42'.repeat(32)}`]) {
      expect(() => parseSeed(bad)).toThrow(P2PError)
    }
    try {
      parseSeed('nope')
    } catch (err) {
      expect(err).toMatchObject({ name: 'P2PError', code: 'P2P_INVALID_SEED' })
    }
  })
})

describe('options', () => {
  it('fill in defaults without sharing mutable state with them', () => {
    const a = resolveNetworkOptions({ auth: { enabled: true } })
    expect(a.auth).toEqual({ enabled: true, timeoutMs: 10_000 })
    a.deployments.push({ chainId: 1, attestationCenter: '0x0000000000000000000000000000000000000001' })
    expect(resolveNetworkOptions().deployments).toEqual([])
  })

  it('the scoring parameters are ones gossipsub accepts', () => {
    const { scoreParams, scoreThresholds } = gossipsubScoring(DEFAULT_SCORING, gossipTopics())
    expect(() => validatePeerScoreParams(createPeerScoreParams(scoreParams))).not.toThrow()
    expect(() => validatePeerScoreThresholds(createPeerScoreThresholds(scoreThresholds))).not.toThrow()
    expect(Object.keys(scoreParams.topics)).toEqual([
      'othentic.p2p.task',
      'othentic.p2p.attest',
      'othentic.p2p.task_submitted',
      'othentic.p2p.custom_message',
    ])
  })

  it('auth needs a directory and a verifier', async () => {
    await expect(createNodePeer({ auth: { enabled: true } })).rejects.toMatchObject({
      code: 'P2P_MISSING_COMPONENT',
    })
  })
})
