// What the signer worker exposes over comlink. The BLS secret key (and the ECDSA key it may be
// derived from) lives only inside that worker: it creates or imports the key, encrypts it into the
// idb keystore, decrypts it on unlock, and answers with public keys and signatures — never the key.
import type { ErrorInfo } from '@wisp/protocol'

export type Hex = `0x${string}`

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo }

/** A stored operator identity (public parts only). */
export interface KeyProfile {
  /** keystore name: the operator address, lower case */
  name: string
  address: Hex
  /** 128-byte EVM-encoded G2 key (uint256[4] = [x.re, x.im, y.re, y.im]) */
  blsPublicKey: Hex
  /**
   * `othentic-ecdsa`: an ECDSA key is stored and the BLS key derived from it (Othentic's
   * SHA-256/mcl derivation, docs/protocol.md §2); `raw-bls`: a BLS key is stored as is.
   */
  derivation: 'othentic-ecdsa' | 'raw-bls'
  createdAt: number
}

/** A secret handed to the worker: typed text, or a File the worker reads itself (the page never does). */
export type SecretInput = { text: string } | { file: Blob }

export interface SignerService {
  profiles(): Promise<KeyProfile[]>
  /**
   * A fresh random ECDSA key, BLS derived from it (Othentic-compatible); or, with `address` (the
   * operator's wallet account), a fresh random BLS key for that address (`raw-bls`).
   */
  create(params: { passphrase: string; address?: Hex }): Promise<Result<KeyProfile>>
  /** An ECDSA private key (0x-hex), or a wisp-keystore backup of one (decrypted with `passphrase`). */
  importEcdsa(params: { secret: SecretInput; passphrase: string }): Promise<Result<KeyProfile>>
  /** A raw 32-byte big-endian BLS key for an operator `address`, or a wisp-keystore backup of one. */
  importBls(params: { secret: SecretInput; address: Hex; passphrase: string }): Promise<Result<KeyProfile>>
  /** Decrypts the keystore `name` inside the worker. */
  unlock(params: { name: string; passphrase: string }): Promise<Result<KeyProfile>>
  lock(): Promise<void>
  remove(name: string): Promise<void>
  /** The unlocked profile, if any. */
  unlocked(): Promise<KeyProfile | undefined>
  /** 64-byte G1 signature of hashToPoint(domain, digest); only DOMAIN_TASKS (votes) is signed. */
  sign(domain: Uint8Array, digest: Uint8Array): Promise<Result<Uint8Array>>
  /** Proof of possession bound to (own address, contract, chainId), as EVM words [x, y]. */
  proofOfPossession(params: { contract: Hex; chainId: number }): Promise<Result<[Hex, Hex]>>
  /** Operator-auth answer: the worker computes the digest from the challenge and the peer id itself. */
  signAuthChallenge(params: {
    challenge: Uint8Array
    peerId: string
  }): Promise<Result<{ x: bigint; y: bigint }>>
  /** Signs a throwaway message inside the worker (nothing leaves it) so the first vote is not slowed by cold code. */
  warmUp(): Promise<void>
  /** The encrypted keystore file (a backup); still needs the passphrase to be of any use. */
  exportKeystore(name: string): Promise<unknown>
  /**
   * Serves the signing part of this API ({@link SigningService}) on another port, for the engine
   * running in a dedicated worker: it can sign votes and auth answers, nothing else.
   */
  connect(port: MessagePort): Promise<void>
}

/** What the engine needs from the signer: votes and p2p-auth answers. */
export type SigningService = Pick<SignerService, 'sign' | 'signAuthChallenge'>

/** idb database of the app: keystores, profiles, slashing protection, history, settings. */
export const APP_DB = 'wisp-web'
