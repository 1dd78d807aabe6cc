# syntax=docker/dockerfile:1
# Wisp's Node operator as a container: a drop-in for Othentic's node image. The entrypoint is the
# `wisp` CLI run from the built dist/ (no TypeScript at run time), as a non-root user, so
#   docker run wisp run attester /ip4/10.8.0.69/tcp/9876/p2p/<id> --avs-webapi http://10.8.0.42
# takes Othentic's command line and environment unchanged. See docs/migrating-from-othentic.md.

# ---- build: every workspace package's dist/ ---------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
# the native modules (LevelDB) build from source when no prebuilt binary matches
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY patches ./patches
COPY packages ./packages
COPY plugins ./plugins
COPY apps ./apps
COPY e2e/package.json ./e2e/package.json
COPY tsconfig.base.json turbo.json biome.json vite.config.ts ./
COPY types ./types
COPY scripts ./scripts
# the browser and workerd downloads are for tests and the web app, not for a node
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
RUN npm ci --no-audit --no-fund
RUN npx turbo run build --filter=@wisp/node...
# keep only what the node needs at run time
RUN npm prune --omit=dev --no-audit --no-fund \
  && rm -rf apps e2e packages/*/src packages/*/test plugins/*/src plugins/*/test

# ---- run ----------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS run
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /src /app
# data (identity, databases, slashing protection) and logs live in volumes, owned by `node`
RUN mkdir -p /data /logs && chown node:node /data /logs
USER node
WORKDIR /data
# Othentic's ports: libp2p TCP, JSON-RPC, metrics
EXPOSE 9876 8545 6060
ENTRYPOINT ["node", "/app/packages/node/dist/cli.js"]
CMD ["--help"]
