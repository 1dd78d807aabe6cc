// Key material for a Node operator: the ECDSA key (performer signatures, transactions) and the BLS
// key, which by default is derived from it the way Othentic's services do (PROTOCOL.md §2).
import { readFile } from 'node:fs/promises'
import { SecretKey } from '@wisp/bls'
import type { BlsSignerPort, EcdsaSignerPort } from '@wisp/core'
import { decryptKey, parseKeystore } from '@wisp/storage'
import { bytesToHex } from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { NodeError } from './errors.js'

type Hex = `0x${string}`

export interface OperatorKeys {
  ecdsaKey: Hex
  bls: SecretKey
}

export function keysFromEcdsa(ecdsaKey: Hex, blsKey?: Hex): OperatorKeys {
  if (!/^0x[0-9a-fA-F]{64}$/.test(ecdsaKey))
    throw new NodeError('NODE_BAD_KEY', 'the private key must be 32 bytes of 0x-hex')
  return { ecdsaKey, bls: blsKey ? SecretKey.fromBytes(blsKey) : SecretKey.fromEcdsaPrivateKey(ecdsaKey) }
}

/** Reads a wisp-keystore file (ECDSA key) and decrypts it with the passphrase. */
export async function keysFromKeystore(path: string, passphrase: string): Promise<OperatorKeys> {
  let file: unknown
  try {
    file = JSON.parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new NodeError('NODE_BAD_KEY', `cannot read keystore ${path}`, { cause })
  }
  const keystore = parseKeystore(file)
  if (keystore.keyType !== 'ecdsa-secp256k1')
    throw new NodeError('NODE_BAD_KEY', 'the keystore must hold the operator ECDSA key')
  return keysFromEcdsa(bytesToHex(await decryptKey(keystore, passphrase)))
}

export function ecdsaSigner(keys: OperatorKeys): EcdsaSignerPort {
  const account = privateKeyToAccount(keys.ecdsaKey)
  return {
    address: account.address,
    signHash: (hash) => sign({ hash, privateKey: keys.ecdsaKey, to: 'hex' }),
  }
}

/** Node signs inline: a signature is one scalar multiplication, the worker hop would cost more. */
export function blsSigner(keys: OperatorKeys): BlsSignerPort {
  return {
    publicKey: keys.bls.publicKey.toBytes(),
    sign: async (domain, digest) => keys.bls.sign(domain, digest).toBytes(),
  }
}
