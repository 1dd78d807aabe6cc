// Proof of possession: the rogue-key defence of registration and BLS key updates (docs/protocol.md §2).
import { authHash, DOMAIN_AUTH } from '@wisp/protocol'
import type { PublicKey, SecretKey, Signature } from './keys.js'
import { verify } from './verify.js'

export interface PossessionContext {
  /** the operator's address */
  operator: `0x${string}`
  /** the registry for registration, the AttestationCenter for `updateBlsKey` */
  contract: `0x${string}`
  chainId: bigint | number
}

export function signProofOfPossession(secretKey: SecretKey, context: PossessionContext): Signature {
  return secretKey.sign(DOMAIN_AUTH, authHash(context))
}

export function verifyProofOfPossession(
  signature: Signature,
  publicKey: PublicKey,
  context: PossessionContext,
): boolean {
  return verify(signature, publicKey, DOMAIN_AUTH, authHash(context))
}
