/// <reference types="vite/client" />
// Test page: a browser peer driven by the Playwright test through `window.wisp`.

import { createBrowserPeer, type WispNetwork, webRTCAddressVia } from '@wisp/p2p/browser'
import type { GossipTopicKind } from '@wisp/protocol'

let network: WispNetwork | undefined
const received: Array<{ kind: GossipTopicKind; from: string; data: string }> = []

function net(): WispNetwork {
  if (network === undefined) throw new Error('not started')
  return network
}

async function start(params: { relay: string; namespace: string }) {
  network = await createBrowserPeer({
    topicNamespace: params.namespace,
    allowLocalNetworks: true,
    // a generous custom-message budget: the test sends bursts from one page
    customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
  })
  network.onMessage('customMessage', (r) =>
    received.push({ kind: r.kind, from: r.from, data: r.message.data }),
  )
  await network.dial(params.relay)
  return network.peerId
}

/** Our address through the relay's circuit, once the reservation is made. */
function webRTCAddress(): string | undefined {
  return net()
    .getMultiaddrs()
    .find((a) => a.includes('/p2p-circuit/webrtc/'))
}

async function dialWebRTC(relay: string, peerId: string) {
  const started = performance.now()
  try {
    const info = await net().dial(webRTCAddressVia(relay, peerId), { signal: AbortSignal.timeout(20_000) })
    return { ok: true, ms: performance.now() - started, remoteAddr: info.remoteAddr }
  } catch (err) {
    return { ok: false, ms: performance.now() - started, error: String((err as Error).cause ?? err) }
  }
}

/** Closes only the direct WebRTC connection(s) to a peer. */
async function hangUpWebRTC(peerId: string) {
  const conns = net()
    .libp2p.getConnections()
    .filter((c) => c.remotePeer.toString() === peerId && c.remoteAddr.toString().includes('/webrtc'))
  // close gracefully, but a remote that already went away cannot acknowledge: then abort
  await Promise.all(
    conns.map((c) => c.close({ signal: AbortSignal.timeout(1000) }).catch((err: Error) => c.abort(err))),
  )
}

function connections() {
  return net().connections()
}

async function publishCustom(data: `0x${string}`) {
  return net().publish('customMessage', { data })
}

function receivedData(): string[] {
  return received.map((r) => r.data)
}

function meshPeers(kind: GossipTopicKind): string[] {
  return net().meshPeers(kind)
}

Object.assign(window, {
  wisp: {
    start,
    webRTCAddress,
    dialWebRTC,
    hangUpWebRTC,
    connections,
    publishCustom,
    receivedData,
    meshPeers,
  },
})
document.getElementById('status')!.textContent = 'ready'
