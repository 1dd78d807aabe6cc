import { describe, expect, it } from 'vitest'
import { decryptKey, encryptKey, Keystore, MemoryStore, parseKeystore } from '../src/index.js'

// Cheap parameters for tests; production defaults are DEFAULT_SCRYPT.
const FAST = { n: 2 ** 10, r: 8, p: 1 }
const secret = Uint8Array.from({ length: 32 }, (_, i) => i + 1)

describe('encrypted keystore', () => {
  it('round-trips and never stores the secret in clear', async () => {
    const file = await encryptKey({
      secret,
      passphrase: 'correct horse',
      keyType: 'bls-bn254',
      publicKey: '0x1234',
      scrypt: FAST,
    })
    expect(file.version).toBe(1)
    expect(JSON.stringify(file)).not.toContain(Buffer.from(secret).toString('hex'))
    expect(await decryptKey(JSON.parse(JSON.stringify(file)), 'correct horse')).toEqual(secret)
  })

  it('a wrong passphrase or a tampered header or ciphertext fails with KEYSTORE_DECRYPT_FAILED', async () => {
    const file = await encryptKey({
      secret,
      passphrase: 'pw',
      keyType: 'bls-bn254',
      publicKey: '0x1234',
      scrypt: FAST,
    })
    await expect(decryptKey(file, 'PW')).rejects.toMatchObject({ code: 'KEYSTORE_DECRYPT_FAILED' })
    await expect(decryptKey({ ...file, publicKey: '0x5678' }, 'pw')).rejects.toMatchObject({
      code: 'KEYSTORE_DECRYPT_FAILED',
    })
    const flipped =
      `${file.ciphertext.slice(0, -2)}${file.ciphertext.endsWith('00') ? '01' : '00'}` as `0x${string}`
    await expect(decryptKey({ ...file, ciphertext: flipped }, 'pw')).rejects.toMatchObject({
      code: 'KEYSTORE_DECRYPT_FAILED',
    })
  })

  it('refuses unknown versions, unsafe scrypt parameters and malformed fields', async () => {
    const file = await encryptKey({
      secret,
      passphrase: 'pw',
      keyType: 'ecdsa-secp256k1',
      publicKey: '0x12',
      scrypt: FAST,
    })
    expect(() => parseKeystore({ ...file, version: 2 })).toThrow(
      expect.objectContaining({ code: 'STORAGE_UNSUPPORTED_FORMAT' }),
    )
    expect(() => parseKeystore({ ...file, kdf: { ...file.kdf, n: 2 ** 30 } })).toThrow(
      expect.objectContaining({ code: 'KEYSTORE_INVALID' }),
    )
    expect(() => parseKeystore({ ...file, kdf: { ...file.kdf, n: 1000 } })).toThrow(
      expect.objectContaining({ code: 'KEYSTORE_INVALID' }),
    )
    expect(() => parseKeystore({ ...file, cipher: { name: 'aes-256-gcm', nonce: '0x00' } })).toThrow(
      expect.objectContaining({ code: 'KEYSTORE_INVALID' }),
    )
    expect(() => parseKeystore('nope')).toThrow(
      expect.objectContaining({ code: 'STORAGE_UNSUPPORTED_FORMAT' }),
    )
  })

  it('keeps files by name in a store', async () => {
    const ks = new Keystore(new MemoryStore())
    const file = await encryptKey({
      secret,
      passphrase: 'pw',
      keyType: 'bls-bn254',
      publicKey: '0x12',
      scrypt: FAST,
    })
    await ks.save('main', file)
    expect(await ks.list()).toEqual(['main'])
    expect(await decryptKey(await ks.load('main'), 'pw')).toEqual(secret)
    await ks.remove('main')
    expect(await ks.load('main')).toBeUndefined()
  })
})
