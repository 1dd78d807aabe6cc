// The WebSocket the Node entry points give @libp2p/websockets (polyfills.ts) against a real HTTP
// server that answers upgrades as a relay shutting down does (503): a dial given up before the
// answer, or closed while connecting, ends without an uncaught error; a listener still hears it.
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NodeWebSocket } from '../src/node/polyfills.js'

let server: Server
let url: string
const uncaught: Error[] = []
const record = (err: Error) => uncaught.push(err)

beforeAll(async () => {
  server = createServer()
  server.on('upgrade', (_req, socket) => {
    setTimeout(() => socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n'), 50)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`
  process.prependListener('uncaughtException', record)
})
afterAll(async () => {
  process.off('uncaughtException', record)
  await new Promise((resolve) => server.close(resolve))
})

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

it('a dial nobody listens to any more ends quietly on a 503, and on close() while connecting', async () => {
  const abandoned = new NodeWebSocket(url)
  const closed = new NodeWebSocket(url)
  const onError = () => undefined
  closed.on('error', onError)
  await settle(10)
  closed.off('error', onError)
  closed.close()
  await settle(200)
  expect(uncaught.map((e) => e.message)).toEqual([])
  expect([abandoned.readyState, closed.readyState]).toEqual([NodeWebSocket.CLOSED, NodeWebSocket.CLOSED])
})

it('a listener still hears the error', async () => {
  const socket = new NodeWebSocket(url)
  const heard = await new Promise<Error>((resolve) => socket.on('error', resolve))
  expect(heard.message).toBe('Unexpected server response: 503')
})
