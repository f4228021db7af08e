# syntax=docker/dockerfile:1
# The backoffice approval processor. Node 24 runs the TypeScript sources as they are (type
# stripping): one stage installs production dependencies, one bundles the console (the only
# build step, with esbuild), and the last runs the service as the unprivileged `node` user.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Production dependencies at the locked versions: no dev dependencies (embedded PostgreSQL, the
# test and bench tools) and no optional ones (the go-mokapi fallback broker binary, pg's
# Cloudflare socket). `npm ls` then fails the build if that tree does not satisfy package.json.
# --ignore-scripts: no install script is needed (the `node` package would fetch a second Node,
# swagger-ui-dist's would report analytics).
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm ls --omit=dev --omit=optional --all > /dev/null \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS console
WORKDIR /app
COPY package.json package-lock.json ./
# esbuild is a dev dependency (its binary an optional one): only the bundle leaves this stage.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY console ./console
RUN node console/build-main.ts

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HTTP_PORT=8080
# Owned by root and not writable by the service user.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY avro ./avro
COPY src ./src
COPY --from=console /app/console/dist ./console/dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HTTP_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM: the service stops fetching, finishes the batch in hand, publishes, commits, then exits.
STOPSIGNAL SIGTERM
# A semi-space of 16 MB: V8 sizes it at 64 MB without pointer compression, three of them the young
# generation, which alone took 200 MB of RSS while draining (docs/performance.md).
CMD ["node", "--disable-warning=TimeoutNegativeWarning", "--max-semi-space-size=16", "src/main.ts"]
