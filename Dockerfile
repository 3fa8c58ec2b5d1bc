# One image for the operator and the compute service.
#   compute service (default):  docker run IMAGE                       -> node --flush-baseline-code dist/service/main.js
#   operator:                   docker run IMAGE dist/operator/main.js  (what the Helm chart runs)
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz instead.
#
# Without a Docker engine, scripts/build-image.sh builds this same file with buildah (and
# makes the base image locally when no registry serves it).

# ---- build: every dependency, compile TypeScript, copy run-time assets into dist/
FROM node:24-bookworm-slim AS build
# A C compiler for the one Node-API addon (service/native/file-pages.c: madvise, which Node
# does not expose); Node's headers come with the base image, as in the official one.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/copy-assets.mjs ./scripts/
COPY scripts/build-native.mjs ./scripts/
COPY operator/ ./operator/
COPY service/ ./service/
COPY crds/ ./crds/
RUN npm run build

# ---- deps: production dependencies only, from the same lockfile
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime: node, production node_modules, compiled code; files owned by root, read-only to the app
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# Memory (measured by `npm run bench:footprint`, which starts the service with these same
# values): V8 collects garbage before its old space passes 64 MiB (live data is ~20 MiB; without
# a bound it lets garbage grow the process by 50+ MiB) and keeps a small young generation: two
# 2 MiB semi-spaces, 4 MiB less than 4 MiB ones and free in CPU a call since closed HTTP/2
# streams no longer survive scavenges (service/server/stream-registries.ts; bench/RESULTS.md).
# Memory outside V8's heap comes from jemalloc (Debian's libjemalloc2) instead of glibc's
# malloc, whose arenas kept 20 to 35 MiB of freed buffers: one arena, freed pages given back
# by its background thread (steady RSS under bench:footprint's load: embedded 117.5 -> 111.6
# MiB, PostgreSQL 134.8 -> 113.7; CPU per call unchanged within noise) over the 100 ms after
# they are freed, not jemalloc's default 10 s or our earlier 1 s (PostgreSQL 2 MiB less again,
# Add's CPU a call within 1 %; with no delay at all every free is an madvise: +37 %). Threads
# cache only blocks up to 1 KiB (tcache_max): V8's compiler threads otherwise keep the larger
# blocks they freed at start-up in their idle caches for good; address space no longer used is
# unmapped (retain:false), not kept with its bookkeeping. And Sparkplug's code for functions not
# run lately is dropped, as V8 already drops their bytecode (--flush-baseline-code, which
# NODE_OPTIONS refuses, hence the CMD). Together 4 to 5 MiB less under load, Add's CPU a call
# within the noise of a few per cent (bench/RESULTS.md, 2026-12-05 08:23).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libjemalloc2 \
    && rm -rf /var/lib/apt/lists/*
ENV NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=2" \
    LD_PRELOAD=libjemalloc.so.2 \
    MALLOC_CONF=narenas:1,background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0,retain:false,tcache_max:1024
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules/
COPY --from=build /app/dist ./dist/
# 65532: the conventional "nonroot" uid; numeric so runAsNonRoot can verify it.
USER 65532:65532
ENTRYPOINT ["node"]
CMD ["--flush-baseline-code", "dist/service/main.js"]
