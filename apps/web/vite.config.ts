// Vite build of the web attester. Workspace packages resolve from their TypeScript sources
// (the root config's `@wisp/source` condition); workers are ES modules (nested workers included).
// `npm run dev` serves /wisp-config.json from $WISP_CONFIG (a file path) when it is set.
import { readFileSync } from 'node:fs'
import { defineConfig, type Plugin } from 'vite'
import { sourceConditions } from '../../vite.config.ts'

function devConfig(): Plugin {
  return {
    name: 'wisp-dev-config',
    configureServer(server) {
      const file = process.env.WISP_CONFIG
      if (!file) return
      server.middlewares.use('/wisp-config.json', (_req, res) => {
        res.setHeader('content-type', 'application/json')
        res.end(readFileSync(file))
      })
    },
  }
}

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  resolve: { conditions: sourceConditions },
  worker: { format: 'es' },
  plugins: [devConfig()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2048,
  },
})
