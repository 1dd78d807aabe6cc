/**
 * Wisp's operator auth protocol (Othentic's is not public, docs/protocol.md §5): the challenger sends
 * an AuthRequest with fresh random bytes; an operator answers with an AuthResponse whose BLS
 * signature (DOMAIN_AUTH) covers `authChallengeHash(challenge, operator address, own peer id)`.
 * A peer that does not speak the protocol is read-only. Messages are length-prefixed protobufs.
 */
export const AUTH_PROTOCOL = '/wisp/auth/1.0.0'

/** 256 bits: a challenge is never repeated, so an answer can never be replayed. */
export const AUTH_CHALLENGE_BYTES = 32
