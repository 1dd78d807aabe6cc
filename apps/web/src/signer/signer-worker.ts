// The signer worker: the only place the operator's secret key exists. It generates or imports the
// key, encrypts it into the idb keystore (scrypt + AES-GCM, @wisp/storage), decrypts it on unlock
// and signs. Comlink exposes public keys and signatures; nothing here returns a secret.
import { SecretKey, signProofOfPossession } from '@wisp/bls'
import { authChallengeHash, DOMAIN_AUTH, DOMAIN_TASKS, toErrorInfo, WispError } from '@wisp/protocol'
import { decodeJson, decryptKey, encodeJson, encryptKey, Keystore, type KeystoreFile } from '@wisp/storage'
import { IdbStore } from '@wisp/storage/idb'
import { expose } from 'comlink'
import { getAddress } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import {
  APP_DB,
  type Hex,
  type KeyProfile,
  type Result,
  type SecretInput,
  type SignerService,
  type SigningService,
} from './protocol.js'

class SignerError extends WispError {
  constructor(code: string, message: string) {
    super(code, message, { name: 'SignerError' })
  }
}

const PROFILE_PREFIX = 'profile/'
const MIN_PASSPHRASE = 8

const storePromise = IdbStore.open({ name: APP_DB })

let unlocked: { profile: KeyProfile; key: SecretKey } | undefined

async function run<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) }
  }
}

function hex(bytes: Uint8Array): Hex {
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

function parseHexSecret(text: string, what: string): Hex {
  const t = text.trim().toLowerCase()
  const h = t.startsWith('0x') ? t : `0x${t}`
  if (!/^0x[0-9a-f]{64}$/.test(h))
    throw new SignerError('SIGNER_INVALID_KEY', `${what} must be 32 bytes of hex`)
  return h as Hex
}

async function readSecret(input: SecretInput): Promise<string> {
  if ('file' in input) {
    if (input.file.size > 64 * 1024) throw new SignerError('SIGNER_INVALID_KEY', 'key file is too large')
    return input.file.text()
  }
  return input.text
}

function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE) {
    throw new SignerError(
      'SIGNER_WEAK_PASSPHRASE',
      `the passphrase needs at least ${MIN_PASSPHRASE} characters`,
    )
  }
}

/** A wisp-keystore backup, if the text is one. */
function asKeystore(text: string): KeystoreFile | undefined {
  const t = text.trim()
  if (!t.startsWith('{')) return undefined
  try {
    const parsed = JSON.parse(t) as { kind?: unknown }
    return parsed.kind === 'wisp-keystore' ? (parsed as KeystoreFile) : undefined
  } catch {
    return undefined
  }
}

function ecdsaAddress(secret: Hex): Hex {
  try {
    return privateKeyToAddress(secret)
  } catch {
    throw new SignerError('SIGNER_INVALID_KEY', 'not a valid secp256k1 private key')
  }
}

async function save(
  secret: Uint8Array,
  profile: KeyProfile,
  passphrase: string,
  key: SecretKey,
): Promise<KeyProfile> {
  const store = await storePromise
  const file = await encryptKey({
    secret,
    passphrase,
    keyType: profile.derivation === 'othentic-ecdsa' ? 'ecdsa-secp256k1' : 'bls-bn254',
    // the public part kept in the clear: the address for ECDSA keys, the G2 key for BLS keys
    publicKey: profile.derivation === 'othentic-ecdsa' ? profile.address : profile.blsPublicKey,
  })
  secret.fill(0)
  await new Keystore(store).save(profile.name, file)
  await store.put(`${PROFILE_PREFIX}${profile.name}`, encodeJson(profile))
  unlocked = { profile, key }
  setTimeout(() => void service.warmUp(), 0)
  return profile
}

function bytesOf(h: Hex): Uint8Array {
  return Uint8Array.from(h.slice(2).match(/../g) ?? [], (x) => Number.parseInt(x, 16))
}

async function storeEcdsa(secretHex: Hex, passphrase: string): Promise<KeyProfile> {
  const address = ecdsaAddress(secretHex)
  const key = SecretKey.fromEcdsaPrivateKey(secretHex)
  const profile: KeyProfile = {
    name: address.toLowerCase(),
    address,
    blsPublicKey: key.publicKey.toHex(),
    derivation: 'othentic-ecdsa',
    createdAt: Date.now(),
  }
  return save(bytesOf(secretHex), profile, passphrase, key)
}

async function storeBls(secretHex: Hex, address: Hex, passphrase: string): Promise<KeyProfile> {
  let key: SecretKey
  try {
    key = SecretKey.fromBytes(secretHex)
  } catch {
    throw new SignerError('SIGNER_INVALID_KEY', 'not a BN254 secret key (must be in [1, r))')
  }
  const checksummed = getAddress(address)
  const profile: KeyProfile = {
    name: checksummed.toLowerCase(),
    address: checksummed,
    blsPublicKey: key.publicKey.toHex(),
    derivation: 'raw-bls',
    createdAt: Date.now(),
  }
  return save(bytesOf(secretHex), profile, passphrase, key)
}

function requireUnlocked(): { profile: KeyProfile; key: SecretKey } {
  if (unlocked === undefined) throw new SignerError('SIGNER_LOCKED', 'the key is locked')
  return unlocked
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

const DOMAIN_TASKS_BYTES = bytesOf(DOMAIN_TASKS)

const service: SignerService = {
  async profiles() {
    const store = await storePromise
    const out: KeyProfile[] = []
    for await (const [, value] of store.scan({ prefix: PROFILE_PREFIX }))
      out.push(decodeJson<KeyProfile>(value))
    return out.sort((a, b) => a.createdAt - b.createdAt)
  },

  create: ({ passphrase, address }) =>
    run(async () => {
      checkPassphrase(passphrase)
      if (address === undefined) return storeEcdsa(generatePrivateKey(), passphrase)
      // a BLS key for an address a wallet holds: the wallet sends the transactions, this worker signs votes
      if (!/^0x[0-9a-fA-F]{40}$/.test(address))
        throw new SignerError('SIGNER_INVALID_ADDRESS', `the operator address ${address} is not an address`)
      return storeBls(hex(SecretKey.random().toBytes()), address, passphrase)
    }),

  importEcdsa: ({ secret, passphrase }) =>
    run(async () => {
      checkPassphrase(passphrase)
      const text = await readSecret(secret)
      const backup = asKeystore(text)
      if (backup !== undefined) {
        if (backup.keyType !== 'ecdsa-secp256k1') {
          throw new SignerError('SIGNER_INVALID_KEY', 'this keystore holds a BLS key: import it as a BLS key')
        }
        return storeEcdsa(hex(await decryptKey(backup, passphrase)), passphrase)
      }
      return storeEcdsa(parseHexSecret(text, 'an ECDSA private key'), passphrase)
    }),

  importBls: ({ secret, address, passphrase }) =>
    run(async () => {
      checkPassphrase(passphrase)
      if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
        throw new SignerError('SIGNER_INVALID_ADDRESS', 'a BLS key needs the operator address it belongs to')
      }
      const text = await readSecret(secret)
      const backup = asKeystore(text)
      if (backup !== undefined) {
        if (backup.keyType !== 'bls-bn254') {
          throw new SignerError(
            'SIGNER_INVALID_KEY',
            'this keystore holds an ECDSA key: import it as an ECDSA key',
          )
        }
        return storeBls(hex(await decryptKey(backup, passphrase)), address, passphrase)
      }
      return storeBls(parseHexSecret(text, 'a BLS secret key'), address, passphrase)
    }),

  unlock: ({ name, passphrase }) =>
    run(async () => {
      const store = await storePromise
      const file = await new Keystore(store).load(name)
      const profileBytes = await store.get(`${PROFILE_PREFIX}${name}`)
      if (file === undefined || profileBytes === undefined) {
        throw new SignerError('SIGNER_NO_KEYSTORE', `no keystore named ${name}`)
      }
      const profile = decodeJson<KeyProfile>(profileBytes)
      const secret = await decryptKey(file, passphrase)
      try {
        const key =
          profile.derivation === 'othentic-ecdsa'
            ? SecretKey.fromEcdsaPrivateKey(secret)
            : SecretKey.fromBytes(secret)
        if (key.publicKey.toHex() !== profile.blsPublicKey) {
          throw new SignerError('SIGNER_PROFILE_MISMATCH', 'the keystore does not match its profile')
        }
        unlocked = { profile, key }
        setTimeout(() => void service.warmUp(), 0)
        return profile
      } finally {
        secret.fill(0)
      }
    }),

  async lock() {
    unlocked = undefined
  },

  async remove(name) {
    const store = await storePromise
    await new Keystore(store).remove(name)
    await store.delete(`${PROFILE_PREFIX}${name}`)
    if (unlocked?.profile.name === name) unlocked = undefined
  },

  async unlocked() {
    return unlocked?.profile
  },

  sign: (domain, digest) =>
    run(async () => {
      const { key } = requireUnlocked()
      // Votes only: proofs of possession and auth answers have their own, bound methods, so a
      // compromised page cannot make this worker sign one of those with arbitrary content.
      if (!equalBytes(domain, DOMAIN_TASKS_BYTES)) {
        throw new SignerError('SIGNER_DOMAIN_REFUSED', 'only DOMAIN_TASKS messages are signed here')
      }
      if (digest.length !== 32) throw new SignerError('SIGNER_INVALID_DIGEST', 'digest must be 32 bytes')
      return key.sign(domain, digest).toBytes()
    }),

  proofOfPossession: ({ contract, chainId }) =>
    run(async () => {
      const { key, profile } = requireUnlocked()
      const [x, y] = signProofOfPossession(key, {
        operator: profile.address,
        contract: getAddress(contract),
        chainId,
      }).toEvm()
      const word = (n: bigint) => `0x${n.toString(16).padStart(64, '0')}` as Hex
      return [word(x), word(y)]
    }),

  signAuthChallenge: ({ challenge, peerId }) =>
    run(async () => {
      const { key, profile } = requireUnlocked()
      const digest = authChallengeHash({ challenge, operator: profile.address, peerId })
      const [x, y] = key.sign(DOMAIN_AUTH, digest).toEvm()
      return { x, y }
    }),

  async warmUp() {
    const key = unlocked?.key
    if (key === undefined) return
    const digest = new Uint8Array(32)
    crypto.getRandomValues(digest)
    key.sign(DOMAIN_TASKS_BYTES, digest)
  },

  async exportKeystore(name) {
    return new Keystore(await storePromise).load(name)
  },

  async connect(port) {
    const signing: SigningService = { sign: service.sign, signAuthChallenge: service.signAuthChallenge }
    expose(signing, port)
  },
}

expose(service)
