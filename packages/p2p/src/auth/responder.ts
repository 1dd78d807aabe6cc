// The proving side of operator auth: answers challenges with the operator's BLS signature.
import type { Libp2p } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { decodeAuthRequest, encodeAuthResponse, MAX_AUTH_MESSAGE_BYTES } from '@wisp/protocol'
import { timeoutSignal } from '../abort.js'
import type { Logger } from '../logger.js'
import { AUTH_PROTOCOL } from './protocol.js'
import type { AuthSigner } from './signer.js'

export async function registerAuthResponder(
  libp2p: Libp2p,
  options: { timeoutMs: number },
  components: { signer: AuthSigner; logger: Logger },
): Promise<void> {
  const { signer, logger } = components
  const selfPeerId = libp2p.peerId.toString()
  await libp2p.handle(
    AUTH_PROTOCOL,
    async (stream, connection) => {
      const { signal, clear } = timeoutSignal(options.timeoutMs)
      try {
        const lp = lpStream(stream, { maxDataLength: MAX_AUTH_MESSAGE_BYTES })
        const request = decodeAuthRequest((await lp.read({ signal })).subarray())
        const signature = await signer.signChallenge({ challenge: request.challenge, peerId: selfPeerId })
        await lp.write(
          encodeAuthResponse({
            address: signer.address,
            operatorId: signer.operatorId,
            challenge: request.challenge,
            signature,
          }),
          { signal },
        )
        await stream.close({ signal })
      } catch (err) {
        logger.debug('auth challenge not answered', {
          peer: connection.remotePeer.toString(),
          error: err instanceof Error ? err.message : String(err),
        })
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      } finally {
        clear()
      }
    },
    // Auth may run over a relayed (limited) connection: it is a few hundred bytes.
    { runOnLimitedConnection: true, maxInboundStreams: 2 },
  )
}
