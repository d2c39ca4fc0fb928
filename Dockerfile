# syntax=docker/dockerfile:1.7
# Two images from one file:
#   docker build --target meshward      -t ghcr.io/meshward/meshward:0.1.0 .
#   docker build --target meshward-init -t ghcr.io/meshward/meshward-init:0.1.0 .
# Both are FROM scratch with one layer: their files come from scripts/images/rootfs-*.sh, which
# scripts/images/ also runs to build the same images as OCI archives without a container engine
# (and takes USER/ENV/WORKDIR/ENTRYPOINT/CMD from the final stages below).
# Measured (the archives, uncompressed / gzip): meshward 178 MB / 57 MB = Node 24 binary 121 MB +
# production node_modules 37 MB (@kubernetes/client-node is a devDependency: the part meshward uses
# is bundled into dist) + glibc, libstdc++, libgcc 6.5 MB + dist 4.7 MB + templates; meshward-init
# 9.5 MB / 3.9 MB = glibc 4.4 MB + busybox-static 2 MB + iptables (nft, legacy, modules) 2.6 MB.
# Debian bookworm's buildah 1.28 builds this file to the same files and config as those archives
# (scripts/images/README.md says how, with no registry but the Debian and npm ones).

# ---- build: compile TypeScript, then keep production dependencies only ----
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY webhook ./webhook
COPY scripts/bundle-kube-client.mjs ./scripts/bundle-kube-client.mjs
# The bundle replaces dist/webhook/kube/client.js with only the client-node code meshward uses.
RUN npx tsc -p tsconfig.json && node scripts/bundle-kube-client.mjs && npm prune --omit=dev --ignore-scripts

# ---- rootfs-meshward: Node 24 + its Debian libraries, /app, nonroot user (no shell, no npm) ----
# The node image has npm, which fetch-node.sh and the production `npm ci --omit=dev` use.
FROM node:24-bookworm-slim AS rootfs-meshward
WORKDIR /src
COPY package.json package-lock.json ./
COPY templates ./templates
COPY scripts/fetch-node.sh ./scripts/fetch-node.sh
COPY scripts/images/rootfs-lib.sh scripts/images/rootfs-meshward.sh ./scripts/images/
COPY --from=build /src/dist/webhook ./dist/webhook
RUN sh scripts/images/rootfs-meshward.sh /rootfs

# ---- meshward: the webhook server and CLI (Node 24 LTS, non-root, read-only root filesystem) ----
FROM scratch AS meshward
COPY --from=rootfs-meshward /rootfs/ /
USER 65532:65532
ENV NODE_ENV=production
WORKDIR /app
# Exactly what the e2e tests, the demo and the bench run (scripts/meshward-process.ts: MESHWARD_NODE_FLAGS,
# MESHWARD_ENTRYPOINT): a young generation of 2 × 8 MB keeps RSS under load ~35 MB lower.
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=8", "dist/webhook/cli/main.js"]
CMD ["serve"]

# ---- rootfs-meshward-init: busybox-static + iptables (nft, legacy fallback) + meshward-init.sh ----
FROM debian:bookworm-slim AS rootfs-meshward-init
WORKDIR /src
COPY webhook/capture/meshward-init.sh ./webhook/capture/meshward-init.sh
COPY scripts/images/rootfs-lib.sh scripts/images/rootfs-meshward-init.sh ./scripts/images/
RUN sh scripts/images/rootfs-meshward-init.sh /rootfs

# ---- meshward-init: installs the pod's traffic-capture rules (webhook/capture/) ----
FROM scratch AS meshward-init
COPY --from=rootfs-meshward-init /rootfs/ /
# iptables needs UID 0; the injected securityContext drops every capability but NET_ADMIN/NET_RAW.
USER 0
# The root filesystem is read-only (readOnlyRootFilesystem): the legacy backend's lock file goes to
# the container's own /dev/shm instead of /run/xtables.lock, which it could not create.
ENV XTABLES_LOCKFILE=/dev/shm/xtables.lock
ENTRYPOINT ["/usr/local/bin/meshward-init"]
