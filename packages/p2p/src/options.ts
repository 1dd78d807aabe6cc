// Options shared by every runtime's factory: plain, cloneable data with exported defaults.

import type { WireLimits } from '@wisp/protocol'
import { DEFAULT_TOPIC_NAMESPACE, DEFAULT_WIRE_LIMITS, MAX_CUSTOM_MESSAGE_DATA_BYTES } from '@wisp/protocol'
import type { Address } from 'viem'
import { DEFAULT_SCORING, type ScoringOptions } from './scoring.js'

/** One AttestationCenter a vote may be bound to. Multi-chain AVSs list every chain they serve. */
export interface Deployment {
  chainId: number
  attestationCenter: Address
}

export interface AuthOptions {
  /**
   * Challenge every connected peer that speaks the auth protocol and bind it to an operator id.
   * With auth on, an attestation authored by a directly connected peer is rejected unless that
   * peer proved it is the attester's operator. Read-only peers may still connect and gossip tasks.
   */
  enabled: boolean
  /** How long a challenge may take; also how long a validator waits for a pending one. */
  timeoutMs: number
}

export interface CustomMessageOptions {
  /** Bytes of `data` (not hex characters). */
  maxDataBytes: number
  /** Per author: at most `messages` within any `intervalMs` (token bucket); beyond that → ignore. */
  perPeer: { messages: number; intervalMs: number }
}

export interface DedupeOptions {
  /** Content hashes of accepted messages remembered per node, oldest evicted first. */
  maxEntries: number
  /** How long a content hash counts as seen; longer than gossipsub's own seen-cache (2 min). */
  ttlMs: number
}

export interface NetworkOptions {
  /** `othentic` interoperates with Othentic nodes; another namespace keeps a network separate. */
  topicNamespace: string
  /** The AttestationCenters this node serves. Empty: votes cannot be checked (structural mode). */
  deployments: Deployment[]
  /**
   * The AVS's other AttestationCenters (a multi-chain AVS shares one p2p network). A vote signed
   * for one of them is genuine but not ours → ignore; a vote valid for none is forged → reject.
   */
  foreignDeployments: Deployment[]
  auth: AuthOptions
  customMessages: CustomMessageOptions
  dedupe: DedupeOptions
  scoring: ScoringOptions
  /** Multiaddrs dialled at start and redialled when lost (the relays). */
  bootstrap: string[]
  /** 32-byte Ed25519 seed (0x-hex) for a stable peer id; random when absent. */
  seed?: string
  wireLimits: WireLimits
}

export const DEFAULT_AUTH_OPTIONS: Readonly<AuthOptions> = Object.freeze({
  enabled: false,
  timeoutMs: 10_000,
})

export const DEFAULT_CUSTOM_MESSAGE_OPTIONS: Readonly<CustomMessageOptions> = Object.freeze({
  maxDataBytes: MAX_CUSTOM_MESSAGE_DATA_BYTES,
  // one message a second on average with bursts of 10: plenty for coordination, useless for spam
  perPeer: Object.freeze({ messages: 10, intervalMs: 10_000 }),
})

export const DEFAULT_DEDUPE_OPTIONS: Readonly<DedupeOptions> = Object.freeze({
  maxEntries: 16_384,
  ttlMs: 10 * 60 * 1000,
})

export const DEFAULT_NETWORK_OPTIONS: Readonly<NetworkOptions> = Object.freeze({
  topicNamespace: DEFAULT_TOPIC_NAMESPACE,
  deployments: [],
  foreignDeployments: [],
  auth: DEFAULT_AUTH_OPTIONS,
  customMessages: DEFAULT_CUSTOM_MESSAGE_OPTIONS,
  dedupe: DEFAULT_DEDUPE_OPTIONS,
  scoring: DEFAULT_SCORING,
  bootstrap: [],
  wireLimits: DEFAULT_WIRE_LIMITS,
})

export type PartialNetworkOptions = Partial<
  Omit<NetworkOptions, 'auth' | 'customMessages' | 'dedupe' | 'scoring'>
> & {
  auth?: Partial<AuthOptions>
  customMessages?: Partial<CustomMessageOptions>
  dedupe?: Partial<DedupeOptions>
  scoring?: Partial<ScoringOptions>
}

/** Fills in defaults section by section. Never mutates its input or the (frozen) defaults. */
export function resolveNetworkOptions(options: PartialNetworkOptions = {}): NetworkOptions {
  const d = DEFAULT_NETWORK_OPTIONS
  return {
    ...d,
    ...options,
    deployments: [...(options.deployments ?? d.deployments)],
    foreignDeployments: [...(options.foreignDeployments ?? d.foreignDeployments)],
    bootstrap: [...(options.bootstrap ?? d.bootstrap)],
    auth: { ...d.auth, ...options.auth },
    customMessages: { ...d.customMessages, ...options.customMessages },
    dedupe: { ...d.dedupe, ...options.dedupe },
    scoring: { ...d.scoring, ...options.scoring },
  }
}
