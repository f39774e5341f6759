# Image for the `crawl` CLI: a build stage compiles the TypeScript, a slim runtime stage
# holds only production dependencies and the compiled output, and runs as the `node` user.
#
#   docker build -t crawl .
#   docker run --rm -i crawl - < urls.txt | jq -c 'select(.ok)'
#   docker run --rm -v "$PWD:/data" crawl /data/urls.txt -o /data/out.ndjson --resume
#
# Both stages use the same pinned base tag: Node 24 LTS ("Krypton", supported to April 2028;
# Node 20 reached end of life in April 2026) on Debian bookworm, slim variant. It must satisfy
# package.json engines.node (">=20.18.1"); test/dockerfile.test.ts checks that. Bump both lines
# together; `npm run test:docker` builds and runs the image on exactly the tagged Node release.

# ---- build: every dependency from the lock file, then `tsc` and `asc` ----
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so editing sources does not invalidate the `npm ci` layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Only what the shipped CLI needs; tests, fixtures and benchmarks stay out of the image
# (tsconfig's `include` skips directories that are absent).
COPY tsconfig.json ./
COPY bin/ ./bin/
COPY src/ ./src/
# The --links scan's WebAssembly source (AssemblyScript, compiled by `npm run build`).
COPY wasm/ ./wasm/
RUN npm run build

# ---- runtime: production dependencies + dist/src + bin, nothing else ----
FROM node:24.21.0-bookworm-slim AS runtime

ARG VERSION=0.1.0
ARG SOURCE_URL=https://github.com/OWNER/crawl
LABEL org.opencontainers.image.title="crawl" \
      org.opencontainers.image.description="A concurrent, host-fair web crawler for the command line: URL list in, NDJSON out." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.licenses="MIT"

ENV NODE_ENV=production

WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script, and none gets to run one.
# The npm cache is dropped so the layer carries only node_modules.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /src/dist/src/ ./dist/src/
COPY --from=build /src/bin/ ./bin/
# Files stay root-owned (the app is read-only to the user that runs it); `crawl` goes on PATH;
# /data is the working directory and belongs to `node`, so relative -o paths work unmounted.
RUN chmod 0755 /app/bin/crawl.js \
 && ln -s /app/bin/crawl.js /usr/local/bin/crawl \
 && mkdir -p /data \
 && chown node:node /data

# Signals without tini: node is PID 1 here, and the kernel gives PID 1 no default action for
# SIGINT/SIGTERM, but the CLI installs its own handlers for both (flush output, exit 130/143),
# so `docker stop` and Ctrl-C under `-it` work without `--init`, which users do not reliably
# pass. crawl spawns no child processes, so there are no zombies for an init to reap.
USER node
WORKDIR /data
ENTRYPOINT ["crawl"]
