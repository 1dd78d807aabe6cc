// Encrypted keystore: scrypt stretches the passphrase, AES-256-GCM encrypts the key and
// authenticates the header (as associated data), so a wrong passphrase and a tampered file are
// both caught. Versioned so the format can change without guessing.
import { gcm } from '@noble/ciphers/aes.js'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { StorageError } from './errors.js'
import { decodeJson, encodeJson, type KeyValueStore } from './store.js'

export type KeyType = 'bls-bn254' | 'ecdsa-secp256k1'

export interface ScryptParams {
  /** CPU/memory cost, a power of two */
  n: number
  r: number
  p: number
}

/**
 * 2^16 · 128 · r = 64 MiB and about a second in JavaScript: costly for a guesser, acceptable once per
 * unlock (the hash runs async, in ticks, so a page stays responsive).
 */
export const DEFAULT_SCRYPT: ScryptParams = { n: 2 ** 16, r: 8, p: 1 }
/** Bounds on what an imported file may ask for: refuse a memory bomb. */
const MAX_SCRYPT_N = 2 ** 20
const SALT_BYTES = 32
const NONCE_BYTES = 12

export interface KeystoreFile {
  kind: 'wisp-keystore'
  version: 1
  keyType: KeyType
  /** public part for display and matching (0x-hex), never the secret */
  publicKey: `0x${string}`
  kdf: { name: 'scrypt'; salt: `0x${string}` } & ScryptParams
  cipher: { name: 'aes-256-gcm'; nonce: `0x${string}` }
  ciphertext: `0x${string}`
}

const hex = (b: Uint8Array) =>
  `0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}` as `0x${string}`
function unhex(h: string, what: string): Uint8Array {
  if (!/^0x([0-9a-f]{2})*$/i.test(h)) throw new StorageError('KEYSTORE_INVALID', `${what} is not hex`)
  return Uint8Array.from(h.slice(2).match(/../g) ?? [], (x) => Number.parseInt(x, 16))
}

/** Everything but the ciphertext, canonically ordered: the associated data. */
function header(file: Omit<KeystoreFile, 'ciphertext'>): Uint8Array {
  const { kind, version, keyType, publicKey, kdf, cipher } = file
  return encodeJson([
    kind,
    version,
    keyType,
    publicKey.toLowerCase(),
    kdf.name,
    kdf.n,
    kdf.r,
    kdf.p,
    kdf.salt,
    cipher.name,
    cipher.nonce,
  ])
}

async function deriveKey(passphrase: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  return scryptAsync(new TextEncoder().encode(passphrase.normalize('NFKC')), salt, {
    N: params.n,
    r: params.r,
    p: params.p,
    dkLen: 32,
  })
}

export async function encryptKey(params: {
  secret: Uint8Array
  passphrase: string
  keyType: KeyType
  publicKey: `0x${string}`
  scrypt?: ScryptParams
}): Promise<KeystoreFile> {
  const scrypt = params.scrypt ?? DEFAULT_SCRYPT
  const salt = randomBytes(SALT_BYTES)
  const nonce = randomBytes(NONCE_BYTES)
  const head: Omit<KeystoreFile, 'ciphertext'> = {
    kind: 'wisp-keystore',
    version: 1,
    keyType: params.keyType,
    publicKey: params.publicKey,
    kdf: { name: 'scrypt', salt: hex(salt), ...scrypt },
    cipher: { name: 'aes-256-gcm', nonce: hex(nonce) },
  }
  const key = await deriveKey(params.passphrase, salt, scrypt)
  const ciphertext = gcm(key, nonce, header(head)).encrypt(params.secret)
  key.fill(0)
  return { ...head, ciphertext: hex(ciphertext) }
}

export function parseKeystore(value: unknown): KeystoreFile {
  const f = value as Partial<KeystoreFile> | null
  if (typeof f !== 'object' || f === null || f.kind !== 'wisp-keystore') {
    throw new StorageError('STORAGE_UNSUPPORTED_FORMAT', 'not a wisp-keystore file')
  }
  if (f.version !== 1)
    throw new StorageError('STORAGE_UNSUPPORTED_FORMAT', `unsupported keystore version ${String(f.version)}`)
  const kdf = f.kdf
  if (
    kdf?.name !== 'scrypt' ||
    !Number.isInteger(kdf.n) ||
    kdf.n < 2 ||
    kdf.n > MAX_SCRYPT_N ||
    (kdf.n & (kdf.n - 1)) !== 0 ||
    !Number.isInteger(kdf.r) ||
    kdf.r < 1 ||
    kdf.r > 32 ||
    !Number.isInteger(kdf.p) ||
    kdf.p < 1 ||
    kdf.p > 16
  ) {
    throw new StorageError('KEYSTORE_INVALID', 'unsupported or unsafe scrypt parameters')
  }
  if (f.cipher?.name !== 'aes-256-gcm') throw new StorageError('KEYSTORE_INVALID', 'unsupported cipher')
  if (f.keyType !== 'bls-bn254' && f.keyType !== 'ecdsa-secp256k1')
    throw new StorageError('KEYSTORE_INVALID', 'unknown key type')
  if (
    unhex(kdf.salt, 'salt').length !== SALT_BYTES ||
    unhex(f.cipher.nonce, 'nonce').length !== NONCE_BYTES
  ) {
    throw new StorageError('KEYSTORE_INVALID', 'salt or nonce has the wrong length')
  }
  unhex(f.ciphertext ?? '', 'ciphertext')
  unhex(f.publicKey ?? '', 'publicKey')
  return f as KeystoreFile
}

export async function decryptKey(file: unknown, passphrase: string): Promise<Uint8Array> {
  const ks = parseKeystore(file)
  const key = await deriveKey(passphrase, unhex(ks.kdf.salt, 'salt'), ks.kdf)
  try {
    return gcm(key, unhex(ks.cipher.nonce, 'nonce'), header(ks)).decrypt(unhex(ks.ciphertext, 'ciphertext'))
  } catch (cause) {
    throw new StorageError('KEYSTORE_DECRYPT_FAILED', 'wrong passphrase or tampered keystore', { cause })
  } finally {
    key.fill(0)
  }
}

const PREFIX = 'keystore/'

/** Keystore files kept in a store, by name. */
export class Keystore {
  readonly #store: KeyValueStore

  constructor(store: KeyValueStore) {
    this.#store = store
  }

  async save(name: string, file: KeystoreFile): Promise<void> {
    await this.#store.put(`${PREFIX}${name}`, encodeJson(parseKeystore(file)))
  }

  async load(name: string): Promise<KeystoreFile | undefined> {
    const bytes = await this.#store.get(`${PREFIX}${name}`)
    return bytes === undefined ? undefined : parseKeystore(decodeJson(bytes))
  }

  async list(): Promise<string[]> {
    const names: string[] = []
    for await (const [key] of this.#store.scan({ prefix: PREFIX })) names.push(key.slice(PREFIX.length))
    return names
  }

  async remove(name: string): Promise<void> {
    await this.#store.delete(`${PREFIX}${name}`)
  }
}
