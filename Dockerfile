# syntax=docker/dockerfile:1
# One image for every ackflow role; the command picks it (`gateway`, `worker --queues light`,
# `mock-llm`, …), as docker-compose.yml does. bin/ackflow.js runs the TypeScript sources
# through tsx, so there is no compile step and tsx is a runtime dependency.
# Debian rather than Alpine: the Temporal SDK's native core ships glibc builds.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Bundle the workflows once, here: workers then load dist/workflow-bundle.js with --bundle
# instead of running webpack at every start. Dev-only packages go afterwards.
RUN node bin/ackflow.js bundle --out dist/workflow-bundle.js \
  && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# Production unless told otherwise: the gateway and workers then refuse to start without
# signing keys and secrets. docker-compose.yml sets development for its local stack.
# Payloads over 256 KB go to BLOB_DIR, which gateways and workers must share (a volume).
ENV NODE_ENV=production \
    BLOB_DIR=/var/lib/ackflow/blobs
WORKDIR /app
COPY --from=build /app ./
# The node image's unprivileged user. The code stays root's, so the process cannot alter it;
# the blob folder is its own, and a volume mounted there starts with that ownership.
RUN mkdir -p /var/lib/ackflow/blobs && chown -R node:node /var/lib/ackflow
USER node
# gateway, mock LLM, worker metrics
EXPOSE 8787 8788 9464
ENTRYPOINT ["node", "bin/ackflow.js"]
CMD ["gateway"]
