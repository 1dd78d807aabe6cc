// The other side of the signer worker: adapters from its comlink API to the ports the engine
// (BlsSignerPort) and the network (AuthSigner) expect. Only public keys and signatures cross.
import type { BlsSignerPort } from '@wisp/core'
import type { AuthSigner } from '@wisp/p2p'
import { type Remote, transfer } from 'comlink'
import type { Hex, KeyProfile, Result, SignerService, SigningService } from './protocol.js'

export class SignerCallError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.name = 'SignerCallError'
    this.code = code
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value
  throw new SignerCallError(result.error.code, result.error.message)
}

function bytesOf(h: Hex): Uint8Array {
  return Uint8Array.from(h.slice(2).match(/../g) ?? [], (x) => Number.parseInt(x, 16))
}

/** The engine's BLS signer over the worker: `publicKey` from the profile, `sign` in the worker. */
export function workerBlsSigner(remote: Remote<SigningService>, profile: KeyProfile): BlsSignerPort {
  return {
    publicKey: bytesOf(profile.blsPublicKey),
    sign: async (domain, digest) => unwrap(await remote.sign(domain, digest)),
  }
}

/** The network's auth signer over the worker (the worker computes the digest itself). */
export function workerAuthSigner(
  remote: Remote<SigningService>,
  operator: { operatorId: number; address: Hex },
): AuthSigner {
  return {
    operatorId: operator.operatorId,
    address: operator.address,
    signChallenge: async ({ challenge, peerId }) =>
      unwrap(await remote.signAuthChallenge({ challenge, peerId })),
  }
}

/** A second port onto the same signer worker, to hand to another worker (engine-in-a-worker mode). */
export async function signerPort(remote: Remote<SignerService>): Promise<MessagePort> {
  const channel = new MessageChannel()
  await remote.connect(transfer(channel.port1, [channel.port1]))
  return channel.port2
}
