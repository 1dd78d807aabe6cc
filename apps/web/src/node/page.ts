// Page mode: the engine and libp2p (WebSocket + WebRTC + circuit relay) on the page; BLS
// verification in a worker pool, signing in the signer worker, plugins in the plugin worker.
import { ed25519 } from '@noble/curves/ed25519.js'
import { createBrowserVerifierPool } from '@wisp/bls/pool/browser'
import BlsWorker from '@wisp/bls/worker-browser?worker'
import { createBrowserPeer } from '@wisp/p2p/browser'
import type { Remote } from 'comlink'
import type { WispWebConfig } from '../config.js'
import PluginWorker from '../plugins/plugin-worker.ts?worker'
import { APP_DB, type KeyProfile, type SignerService } from '../signer/protocol.js'
import { AttesterNode } from './attester.js'
import type { NodeHandle } from './handle.js'
import type { NodeStatus } from './status.js'

/**
 * libp2p signs with Ed25519 on the page (its identity: noise handshakes, gossip StrictSign). noble
 * builds the base point's table on first use, in one go; a 4-bit window instead of 6 makes that
 * table about 3× smaller, so building it stays well under a long task, for ~10% slower signatures.
 */
ed25519.Point.BASE.precompute(4)

export async function startPageNode(params: {
  config: WispWebConfig
  profile: KeyProfile
  signer: Remote<SignerService>
  onStatus?: (status: NodeStatus) => void
}): Promise<{ handle: NodeHandle; started: Promise<void> }> {
  const node = new AttesterNode({
    mode: 'page',
    config: params.config,
    profile: params.profile,
    signer: params.signer,
    storeName: APP_DB,
    createNetwork: (o, components) =>
      createBrowserPeer(
        {
          ...o.base,
          allowLocalNetworks: o.allowLocalNetworks,
          iceServers: o.iceServers,
          listenWebRTC: true,
          ...(o.maxDirectPeers === undefined ? {} : { maxDirectPeers: o.maxDirectPeers }),
          ...(o.relayTarget === undefined ? {} : { relayTarget: o.relayTarget }),
        },
        { ...components, peerStore: o.peerStore },
      ),
    // one verification worker: the page keeps a core, the signer and plugin workers share the rest
    createVerifier: () => createBrowserVerifierPool({ createWorker: () => new BlsWorker(), workers: 1 }),
    createPluginWorker: () => new PluginWorker(),
  })
  let latest: NodeStatus | undefined
  const handle: NodeHandle = {
    mode: 'page',
    get status() {
      return latest
    },
    subscribe(listener) {
      return node.tracker.subscribe((s) => {
        latest = s
        listener(s)
      })
    },
    dial: (peerId) => node.dial(peerId),
    validateMany: (tasks) => node.validateMany(tasks),
    stop: () => node.stop(),
  }
  if (params.onStatus) handle.subscribe(params.onStatus)
  const started = node.start()
  started.catch(() => undefined)
  return { handle, started }
}
