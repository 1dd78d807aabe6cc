// A relay and Node peers in this process, over real WebSockets on loopback.
import { type BlsVerifier, createInlineVerifier } from '@wisp/bls'
import {
  createNodePeer,
  createPrometheusMetrics,
  createRelay,
  GOSSIP_KINDS,
  type NetworkComponents,
  type PartialNetworkOptions,
  type PrometheusMetrics,
  type WispNetwork,
} from '../../src/node/index.js'
import type { WispRelay } from '../../src/node/relay.js'
import { DEPLOYMENT, definitions, directoryOf, type TestOperator } from './fixtures.js'
import { waitFor } from './wait.js'

/** js-gossipsub's direct peers of a node (public on its class). */
export function directPeers(network: WispNetwork): Set<string> {
  return (network.libp2p.services.pubsub as unknown as { direct: Set<string> }).direct
}

/** Both relays hold each other as connected direct peers and see each other on every topic. */
export async function waitForFederated(a: WispRelay, b: WispRelay): Promise<void> {
  await waitFor(`relays ${a.peerId} and ${b.peerId} federated`, () =>
    [
      [a, b],
      [b, a],
    ].every(
      ([x, y]) =>
        x!.federation.connected().includes(y!.peerId) &&
        directPeers(x!).has(y!.peerId) &&
        GOSSIP_KINDS.every((k) => x!.topicPeers(k).includes(y!.peerId)),
    ),
  )
}

export interface Cluster {
  relay: WispNetwork
  relayAddress: string
  relayMetrics: PrometheusMetrics
  peers: WispNetwork[]
  verifier: BlsVerifier
  /** a Node peer dialled to the relay and meshed with it; `beforeDial` may tamper with it first */
  addPeer(
    components?: NetworkComponents,
    options?: PartialNetworkOptions,
    beforeDial?: (peer: WispNetwork) => void,
  ): Promise<WispNetwork>
  stop(): Promise<void>
}

/** Gossip flows once both sides have the other in their mesh for every topic (grafted on a heartbeat). */
export function waitForMesh(relay: WispNetwork, peer: WispNetwork, timeoutMs?: number): Promise<true> {
  return waitFor(
    `mesh between relay and ${peer.peerId}`,
    () =>
      // the topics the peer subscribes to (all four unless its options.subscribe says otherwise)
      GOSSIP_KINDS.filter((k) => peer.libp2p.services.pubsub.getTopics().includes(peer.topics[k])).every(
        (k) => relay.meshPeers(k).includes(peer.peerId) && peer.meshPeers(k).includes(relay.peerId),
      ),
    { timeoutMs },
  )
}

export async function startCluster(params: {
  operators: TestOperator[]
  peers: number
  options?: PartialNetworkOptions
  verifier?: BlsVerifier
  peerComponents?: (index: number) => NetworkComponents
  /** merged over the relay's components (e.g. `directory: undefined` for a structural relay) */
  relayComponents?: NetworkComponents
  /** merged over the relay's options */
  relayOptions?: PartialNetworkOptions
}): Promise<Cluster> {
  const verifier = params.verifier ?? createInlineVerifier()
  const directory = directoryOf(params.operators)
  const common: PartialNetworkOptions = {
    deployments: [DEPLOYMENT],
    topicNamespace: 'wisp-test',
    ...params.options,
  }
  const relayMetrics = createPrometheusMetrics()
  const relay = await createRelay(
    { ...common, ...params.relayOptions, listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    { verifier, directory, definitions: definitions(), metrics: relayMetrics, ...params.relayComponents },
  )
  const relayAddress = relay.getMultiaddrs()[0]!
  const peers: WispNetwork[] = []

  const addPeer = async (
    components: NetworkComponents = {},
    options: PartialNetworkOptions = {},
    beforeDial?: (peer: WispNetwork) => void,
  ) => {
    const peer = await createNodePeer(
      { ...common, ...options },
      { verifier, directory, definitions: definitions(), ...components },
    )
    beforeDial?.(peer)
    await peer.dial(relayAddress)
    await waitForMesh(relay, peer)
    peers.push(peer)
    return peer
  }
  for (let i = 0; i < params.peers; i++) await addPeer(params.peerComponents?.(i))

  return {
    relay,
    relayAddress,
    relayMetrics,
    peers,
    verifier,
    addPeer,
    async stop() {
      await Promise.all(peers.map((p) => p.stop()))
      await relay.stop()
      if (params.verifier === undefined) await verifier.close()
    },
  }
}
