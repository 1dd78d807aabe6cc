/// <reference types="node" />
// The benchmark's relay, alone in its process so its memory is its own. Driven over IPC by run.ts.
import { createRelay } from '../src/node/index.js'

const NAMESPACE = process.argv[2] ?? 'wisp-bench'

type Request = { id: number; op: 'memory' | 'mesh' | 'stop' }

function send(message: unknown): void {
  process.send?.(message)
}

const relay = await createRelay({
  listen: ['/ip4/127.0.0.1/tcp/0/ws'],
  topicNamespace: NAMESPACE,
  // every bench peer comes from 127.0.0.1: exempt loopback from the per-host connection rate limit
  allow: ['/ip4/127.0.0.1/ipcidr/32'],
  customMessages: { perPeer: { messages: 1000, intervalMs: 1000 } },
})

function memory() {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }
}

process.on('message', (req: Request) => {
  if (req.op === 'memory') send({ id: req.id, value: memory() })
  else if (req.op === 'mesh') {
    send({
      id: req.id,
      value: { mesh: relay.meshPeers('customMessage').length, connections: relay.connections().length },
    })
  } else if (req.op === 'stop') {
    void relay.stop().then(() => {
      send({ id: req.id, value: true })
      process.exit(0)
    })
  }
})
send({ ready: true, address: relay.getMultiaddrs()[0], peerId: relay.peerId })
