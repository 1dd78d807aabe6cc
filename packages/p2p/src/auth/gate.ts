import { type Address, isAddressEqual } from 'viem'
import type { AuthorGate } from '../validation/context.js'
import { ignore, reject, type Verdict } from '../verdicts.js'
import type { AuthBook } from './book.js'

/**
 * With auth on: an attestation authored by a directly connected peer passes only if that peer
 * proved it is the attester's operator (a reject; validateAttestation makes it an ignore when
 * another peer forwarded the copy, see validation/blame.ts). Authors we have no connection to
 * cannot be challenged by us; their first hop did that (every relay of a federation must run
 * with auth on), and the attestation's own BLS signature still proves the operator signed it.
 */
export function createAuthorGate(book: AuthBook, selfPeerId: string, timeoutMs: number): AuthorGate {
  return {
    async check(author: string, attester: Address): Promise<Verdict | undefined> {
      if (author === selfPeerId) return undefined
      const auth = await book.wait(author, timeoutMs)
      if (auth === undefined) return undefined
      if (auth.state === 'pending') return ignore('auth_pending')
      if (auth.state === 'operator' && isAddressEqual(auth.address, attester)) return undefined
      return reject('unauthenticated')
    },
  }
}
