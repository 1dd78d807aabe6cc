import type { SecretKey } from '@wisp/bls'
import { authChallengeHash, DOMAIN_AUTH, type G1Point } from '@wisp/protocol'
import type { Address } from 'viem'

/**
 * Answers auth challenges for one operator. It computes the digest itself from the challenge
 * and its own peer id, so a challenger cannot make it sign anything else (such as a proof of
 * possession): only the 32 challenge bytes are the remote's to choose. In a page, implement it
 * with the key inside a worker.
 */
export interface AuthSigner {
  readonly operatorId: number
  readonly address: Address
  signChallenge(params: { challenge: Uint8Array; peerId: string }): Promise<G1Point>
}

/** A signer over a BLS key held in this thread (Node operators, tests). */
export function createBlsAuthSigner(
  operator: { operatorId: number; address: Address },
  secretKey: SecretKey,
): AuthSigner {
  return {
    operatorId: operator.operatorId,
    address: operator.address,
    signChallenge: async ({ challenge, peerId }) => {
      const digest = authChallengeHash({ challenge, operator: operator.address, peerId })
      const [x, y] = secretKey.sign(DOMAIN_AUTH, digest).toEvm()
      return { x, y }
    },
  }
}
