// A JSON-RPC proxy in front of anvil that misbehaves on cue: a real HTTP server and real
// forwarding, so the deployer sees what a flaky public RPC does (429, no answer, 503).
import { createServer, type Server } from 'node:http'

export type ProxyAction =
  | 'forward'
  | 'hold'
  | { status: number }
  /** a JSON-RPC error answer, as a node refusing the request would give */
  | { error: { code: number; message: string } }

export interface RpcProxy {
  url: string
  /** how many requests of each method went through */
  counts: Map<string, number>
  close(): Promise<void>
}

/** `decide(method, n)` — n: how many requests of this method came before this one. */
export async function startRpcProxy(
  target: string,
  decide: (method: string, n: number) => ProxyAction,
): Promise<RpcProxy> {
  const counts = new Map<string, number>()
  const held: Array<() => void> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const parsed = JSON.parse(body) as { method: string } | Array<{ method: string }>
      const methods = (Array.isArray(parsed) ? parsed : [parsed]).map((m) => m.method)
      let action: ProxyAction = 'forward'
      for (const method of methods) {
        const n = counts.get(method) ?? 0
        counts.set(method, n + 1)
        const a = decide(method, n)
        if (a !== 'forward') action = a
      }
      if (action === 'hold') {
        held.push(() => res.destroy())
        return
      }
      if (typeof action === 'object' && 'error' in action) {
        const id = Array.isArray(parsed) ? undefined : (parsed as { id?: unknown }).id
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id, error: action.error }))
        return
      }
      if (typeof action === 'object') {
        res.writeHead(action.status, { 'content-type': 'text/plain' }).end(`proxy: ${action.status}`)
        return
      }
      fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then(async (r) =>
          res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()),
        )
        .catch(() => res.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of held) release()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
