// Peer identity: a 32-byte Ed25519 seed gives the libp2p peer id the standard way (docs/protocol.md §5),
// so a bootstrap relay keeps its address across restarts and machines.
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { randomBytes } from '@noble/hashes/utils.js'
import { bytesToHex, hexToBytes, isHex } from 'viem'
import { P2PError } from './errors.js'

export const SEED_BYTES = 32

export function parseSeed(seed: string | Uint8Array): Uint8Array {
  const bytes =
    typeof seed === 'string' ? (isHex(seed, { strict: true }) ? hexToBytes(seed) : undefined) : seed
  if (!(bytes instanceof Uint8Array) || bytes.length !== SEED_BYTES) {
    throw new P2PError('P2P_INVALID_SEED', `an identity seed must be ${SEED_BYTES} bytes (0x-hex)`)
  }
  return bytes
}

export async function privateKeyFromSeed(seed: string | Uint8Array): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', parseSeed(seed))
}

/** The peer id a seed gives, without starting a node (for configs and logs). */
export async function peerIdFromSeed(seed: string | Uint8Array): Promise<string> {
  return peerIdFromPrivateKey(await privateKeyFromSeed(seed)).toString()
}

/** A new random seed as 0x-hex, e.g. to store in a relay's data directory. */
export function randomSeed(): string {
  return bytesToHex(randomBytes(SEED_BYTES))
}

export async function privateKeyFromOptions(seed: string | undefined): Promise<PrivateKey> {
  return seed === undefined ? generateKeyPair('Ed25519') : privateKeyFromSeed(seed)
}
