/// <reference types="node" />
// A small static server for the built app: dist/web, the network config at /wisp-config.json and,
// when a handler is given, a local network's faucet endpoint (same origin, so the page needs no CORS).
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { OperatorConfigInput } from '@wisp/operator'
import {
  DEFAULT_CONFIG_PATH,
  type FaucetRequest,
  type FaucetResponse,
  parseConfig,
  parseFaucetRequest,
  type WispWebConfig,
} from '../config.js'

export const DEFAULT_FAUCET_PATH = '/api/faucet'

export type FaucetHandler = (request: FaucetRequest) => Promise<FaucetResponse>

export interface WebServerOptions {
  /** 0 = any free port (default) */
  port?: number
  /** default 127.0.0.1 */
  host?: string
  /** served at /wisp-config.json (checked and completed with parseConfig first) */
  config: OperatorConfigInput | WispWebConfig
  /** the built app; default: this package's dist/web */
  dir?: string
  /**
   * Serves `POST <path>` with this handler and points `config.faucet.url` at it (unless the config
   * already names another URL). See createLocalFaucet for the local network's.
   */
  faucet?: { handler: FaucetHandler; path?: string }
  /** the earlier one-click registration: refused with WEB_REGISTRATION_REMOVED (use `faucet`) */
  registration?: never
  /** build the app first if dist/web is missing ('if-missing', default), always, or never */
  build?: 'if-missing' | 'always' | 'never'
  /** called for every faucet failure (logging) */
  onError?: (error: Error) => void
}

export interface WebServer {
  /** http://host:port/ */
  url: string
  port: number
  config: WispWebConfig
  close(): Promise<void>
}

const here = fileURLToPath(new URL('.', import.meta.url))

/** The package root: src/server/ → ../../ in sources; dist/server/server/ → ../../../ when built. */
function packageRoot(): string {
  for (const up of ['../..', '../../..']) {
    const dir = resolve(here, up)
    if (existsSync(join(dir, 'vite.config.ts')) && existsSync(join(dir, 'index.html'))) return dir
  }
  return resolve(here, '../..')
}

/** Where the built app lives (dist/web of this package). */
export function webAppDir(): string {
  return join(packageRoot(), 'dist', 'web')
}

/** Runs the Vite build of the app (needs the monorepo's dev dependencies). */
export async function buildWebApp(): Promise<string> {
  const root = packageRoot()
  const vite = await import('vite')
  await vite.build({ configFile: join(root, 'vite.config.ts'), root, logLevel: 'error' })
  return join(root, 'dist', 'web')
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers })
  res.end(body)
}

function json(res: ServerResponse, status: number, value: unknown) {
  send(res, status, JSON.stringify(value), {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  })
}

async function readBody(req: IncomingMessage, limit = 16 * 1024): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 })
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  let dir = options.dir ?? webAppDir()
  const build = options.build ?? 'if-missing'
  if (build === 'always' || (build === 'if-missing' && !existsSync(join(dir, 'index.html')))) {
    if (options.dir !== undefined) throw new Error(`no built app in ${dir}`)
    dir = await buildWebApp()
  }
  if ((options as { registration?: unknown }).registration !== undefined)
    throw Object.assign(
      new Error(
        'startWebServer: `registration` was removed; pass `faucet: { handler: createLocalFaucet(…) }` (operators register from their wallet)',
      ),
      { code: 'WEB_REGISTRATION_REMOVED' },
    )
  const faucetPath = options.faucet?.path ?? DEFAULT_FAUCET_PATH
  const given = options.config as { faucet?: unknown; registration?: unknown }
  const config = parseConfig({
    ...options.config,
    ...(options.faucet && given.faucet === undefined && given.registration === undefined
      ? { faucet: { url: faucetPath.replace(/^\//, '') } }
      : {}),
  })
  const configBody = JSON.stringify(config, null, 2)
  const root = resolve(dir)
  let queue: Promise<unknown> = Promise.resolve()

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname === `/${DEFAULT_CONFIG_PATH}`) {
        send(res, 200, configBody, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        return
      }
      if (options.faucet && url.pathname === faucetPath) {
        if (req.method !== 'POST') {
          json(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST {"address": "0x…"}' } })
          return
        }
        try {
          const request = parseFaucetRequest(JSON.parse(await readBody(req)))
          // one request at a time: they share the funding account's nonces
          const run = () => options.faucet!.handler(request)
          const result = queue.then(run, run)
          queue = result.catch(() => undefined)
          json(res, 200, await result)
        } catch (err) {
          const e = err as Error & { code?: string; status?: number }
          options.onError?.(e)
          const status = e.status ?? (e.name === 'OperatorError' || e instanceof SyntaxError ? 400 : 500)
          json(res, status, {
            error: {
              code: e.code ?? (status === 400 ? 'BAD_REQUEST' : 'FAUCET_FAILED'),
              message: e.message,
            },
          })
        }
        return
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'method not allowed')
        return
      }
      let path = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '')
      if (path === '' || path.endsWith(sep)) path = join(path, 'index.html')
      let file = resolve(root, path)
      if (file !== root && !file.startsWith(root + sep)) {
        send(res, 403, 'forbidden')
        return
      }
      const info = await stat(file).catch(() => undefined)
      if (info === undefined || !info.isFile()) {
        // unknown paths without an extension are the app (client-side routes); assets 404
        if (extname(path) !== '') {
          send(res, 404, 'not found')
          return
        }
        file = join(root, 'index.html')
      }
      const body = await readFile(file)
      const immutable = file.includes(`${sep}assets${sep}`)
      send(res, 200, req.method === 'HEAD' ? '' : body, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    })().catch((err: Error) => {
      if (!res.headersSent) send(res, 500, `internal error: ${err.message}`)
      else res.destroy(err)
    })
  })
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolveListen())
  })
  const address = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}/`,
    port: address.port,
    config,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
