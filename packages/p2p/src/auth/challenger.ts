// The verifying side of operator auth: challenges each directly connected peer that speaks the
// protocol and records who it proved to be.
import type { Libp2p, Libp2pEvents, PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { randomBytes } from '@noble/hashes/utils.js'
import type { BlsVerifier } from '@wisp/bls'
import {
  authChallengeHash,
  clearTimer,
  DOMAIN_AUTH,
  decodeAuthResponse,
  encodeAuthRequest,
  MAX_AUTH_MESSAGE_BYTES,
  setTimer,
  type TimerHandle,
} from '@wisp/protocol'
import { hexToBytes, isAddressEqual } from 'viem'
import { timeoutSignal } from '../abort.js'
import type { OperatorDirectory } from '../directory.js'
import type { Logger } from '../logger.js'
import type { P2PMetrics } from '../metrics.js'
import { g1PointBytes, readOutcome } from '../validation/signatures.js'
import type { AuthBook, PeerAuth } from './book.js'
import { AUTH_CHALLENGE_BYTES, AUTH_PROTOCOL } from './protocol.js'

export interface ChallengerComponents {
  book: AuthBook
  directory: OperatorDirectory
  verifier: BlsVerifier
  metrics: P2PMetrics
  logger: Logger
}

type Settled = Exclude<PeerAuth, { state: 'pending' }>

/** Starts challenging; returns a function that stops listening. */
export function startAuthChallenger(
  libp2p: Libp2p,
  options: { timeoutMs: number },
  components: ChallengerComponents,
): () => void {
  const { book, metrics, logger } = components
  const inFlight = new Set<string>()
  const deadlines = new Map<string, TimerHandle>()
  const clearDeadline = (peer: string): void => {
    const timer = deadlines.get(peer)
    if (timer !== undefined) clearTimer(timer)
    deadlines.delete(peer)
  }

  const settle = (peer: string, auth: Settled): void => {
    clearDeadline(peer)
    if (book.get(peer)?.state !== 'pending') return
    book.settle(peer, auth)
    metrics.authCompleted(auth.state === 'operator' ? 'operator' : auth.state)
    logger.debug('peer auth settled', { peer, state: auth.state })
  }

  const onOpen = (evt: Libp2pEvents['connection:open']): void => {
    const peer = evt.detail.remotePeer.toString()
    if (!book.open(peer)) return
    // A peer that never completes identify made no claim: treat it as read-only.
    deadlines.set(
      peer,
      setTimer(() => settle(peer, { state: 'read-only' }), options.timeoutMs),
    )
  }

  const onIdentify = (evt: Libp2pEvents['peer:identify']): void => {
    const { peerId, protocols } = evt.detail
    const peer = peerId.toString()
    if (book.get(peer)?.state !== 'pending' || inFlight.has(peer)) return
    if (!protocols.includes(AUTH_PROTOCOL)) {
      settle(peer, { state: 'read-only' })
      return
    }
    inFlight.add(peer)
    challenge(libp2p, peerId, options.timeoutMs, components)
      .then((auth) => settle(peer, auth))
      .catch((err: unknown) => settle(peer, { state: 'failed', reason: describe(err) }))
      .finally(() => inFlight.delete(peer))
  }

  const onDisconnect = (evt: Libp2pEvents['peer:disconnect']): void => {
    const peer = evt.detail.toString()
    clearDeadline(peer)
    book.drop(peer)
  }

  libp2p.addEventListener('connection:open', onOpen)
  libp2p.addEventListener('peer:identify', onIdentify)
  libp2p.addEventListener('peer:disconnect', onDisconnect)
  return () => {
    libp2p.removeEventListener('connection:open', onOpen)
    libp2p.removeEventListener('peer:identify', onIdentify)
    libp2p.removeEventListener('peer:disconnect', onDisconnect)
    for (const peer of [...deadlines.keys()]) clearDeadline(peer)
  }
}

async function challenge(
  libp2p: Libp2p,
  peerId: PeerId,
  timeoutMs: number,
  { directory, verifier }: ChallengerComponents,
): Promise<Settled> {
  const { signal, clear } = timeoutSignal(timeoutMs)
  const challengeBytes = randomBytes(AUTH_CHALLENGE_BYTES)
  let reply: Uint8Array
  try {
    const stream = await libp2p.dialProtocol(peerId, AUTH_PROTOCOL, { signal, runOnLimitedConnection: true })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_AUTH_MESSAGE_BYTES })
      await lp.write(encodeAuthRequest({ challenge: challengeBytes }), { signal })
      reply = (await lp.read({ signal })).subarray()
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  } finally {
    clear()
  }
  const response = decodeAuthResponse(reply)
  if (!equalBytes(response.challenge, challengeBytes)) return failed('answered another challenge')
  const operator = await directory.getOperator(response.operatorId)
  if (operator === undefined) return failed('unknown operator id')
  if (!isAddressEqual(operator.address, response.address)) return failed('address is not the operator id’s')
  if (!operator.active) return failed('operator is not active')
  const digest = authChallengeHash({
    challenge: challengeBytes,
    operator: operator.address,
    peerId: peerId.toString(),
  })
  const outcome = await verifier.verify({
    domain: hexToBytes(DOMAIN_AUTH),
    digest: hexToBytes(digest),
    publicKey: operator.blsPublicKey,
    signature: g1PointBytes(response.signature),
  })
  const reading = readOutcome(outcome)
  if (reading === 'internal') throw new Error('auth verification could not run')
  if (reading === 'invalid') return failed('signature does not match the operator’s registered key')
  return { state: 'operator', operatorId: operator.id, address: operator.address }
}

function failed(reason: string): Settled {
  return { state: 'failed', reason }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
