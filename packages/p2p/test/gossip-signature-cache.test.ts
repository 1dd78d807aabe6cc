// The gossipsub patch (patches/@libp2p+gossipsub+*.patch) remembers the message signatures this
// process verified: peers hosted in one process (several operators in a worker, a benchmark's
// simulated peers) check a message's signature once, not once each. A remembered signature must
// prove exactly what a verification would: the same key and the same signed bytes, nothing else.
// gossipsub's message check is not exported, so the test imports its module by path.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, expect, it, vi } from 'vitest'

const gossipsubDir = dirname(createRequire(import.meta.url).resolve('@libp2p/gossipsub'))
const { buildRawMessage, validateToRawMessage } = (await import(
  pathToFileURL(join(gossipsubDir, 'utils/buildRawMessage.js')).href
)) as {
  buildRawMessage: (
    publishConfig: unknown,
    topic: string,
    originalData: Uint8Array,
    transformedData: Uint8Array,
  ) => Promise<{ raw: Record<string, unknown> & { data: Uint8Array; signature: Uint8Array } }>
  validateToRawMessage: (policy: string, msg: unknown) => Promise<{ valid: boolean; error?: string }>
}
const STRICT_SIGN = 'StrictSign'

async function signed(key: PrivateKey, data: string) {
  const bytes = new TextEncoder().encode(data)
  const author = peerIdFromPrivateKey(key)
  const { raw } = await buildRawMessage(
    // PublishConfigType.Signing, as gossipsub publishes
    { type: 0, author, key: publicKeyToProtobuf(key.publicKey), privateKey: key },
    'wisp/test',
    bytes,
    bytes,
  )
  return raw
}

afterEach(() => {
  vi.restoreAllMocks()
})

it('a signature verified once is not verified again, and a copy with other bytes or another key is still refused', async () => {
  const alice = await generateKeyPair('Ed25519')
  const mallory = await generateKeyPair('Ed25519')
  const verify = vi.spyOn(Object.getPrototypeOf(alice.publicKey), 'verify')

  const message = await signed(alice, 'a task')
  expect(await validateToRawMessage(STRICT_SIGN, message)).toMatchObject({ valid: true })
  expect(verify).toHaveBeenCalledTimes(1)
  // the same message reaching a second peer of this process: remembered, not verified again
  expect(await validateToRawMessage(STRICT_SIGN, { ...message })).toMatchObject({ valid: true })
  expect(verify).toHaveBeenCalledTimes(1)

  // the remembered signature over other bytes: verified, and refused
  const tampered = { ...message, data: new TextEncoder().encode('another task') }
  expect(await validateToRawMessage(STRICT_SIGN, tampered)).toMatchObject({
    valid: false,
    error: 'invalid_signature',
  })
  expect(verify).toHaveBeenCalledTimes(2)

  // the remembered signature claimed by another author: verified, and refused
  const malloryId = peerIdFromPrivateKey(mallory)
  const stolen = { ...message, from: malloryId.toMultihash().bytes, key: undefined }
  expect(await validateToRawMessage(STRICT_SIGN, stolen)).toMatchObject({ valid: false })
  expect(verify).toHaveBeenCalledTimes(3)

  // a refused signature is never remembered: refused again after a real check
  expect(await validateToRawMessage(STRICT_SIGN, tampered)).toMatchObject({ valid: false })
  expect(verify).toHaveBeenCalledTimes(4)
})
