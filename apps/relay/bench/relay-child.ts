/// <reference types="node" />
// One relay of the federation benchmark, alone in its process so its memory is its own.
// argv: namespace, then the addresses of relays to federate with. Driven over IPC by federation.ts.
import { createRelay } from '@wisp/p2p/node'

const [namespace = 'wisp-bench', ...peers] = process.argv.slice(2)

const relay = await createRelay({
  listen: ['/ip4/127.0.0.1/tcp/0/ws'],
  topicNamespace: namespace,
  peers,
  // every bench peer comes from 127.0.0.1: exempt loopback from the per-host connection rate limit
  allow: ['/ip4/127.0.0.1/ipcidr/32'],
  customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
})

function memory() {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }
}

// the bench gone (killed, crashed): do not linger
process.on('disconnect', () => process.exit(0))
process.on('message', (req: { id: number; op: 'memory' | 'cpu' | 'state' | 'stop' }) => {
  const send = (value: unknown) => process.send?.({ id: req.id, value })
  if (req.op === 'memory') send(memory())
  else if (req.op === 'cpu') send(process.cpuUsage())
  else if (req.op === 'state') {
    send({
      federated: relay.federation.connected().length,
      mesh: relay.meshPeers('customMessage').length,
      connections: relay.connections().length,
    })
  } else if (req.op === 'stop') void relay.stop().then(() => send(true))
})
process.send?.({ ready: true, address: relay.getMultiaddrs()[0], peerId: relay.peerId })
