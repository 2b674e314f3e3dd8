# syntax=docker/dockerfile:1
# Build stage: install everything, compile TypeScript (src, handlers and the operations scripts) to dist/, then
# drop the dev dependencies (tsx, esbuild, TypeScript, vitest, biome). better-sqlite3 builds its addon here.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY handlers ./handlers
COPY scripts ./scripts
COPY content ./content
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: Node 24 LTS, production dependencies, compiled JavaScript and content only. No TypeScript sources, no
# compiler, no package manager (npm, npx, corepack and yarn are removed): the service and its operations scripts
# run with node alone, e.g. `docker exec chibo node dist/scripts/dead-letters.js`. Runs as the non-root node user.
FROM node:24-bookworm-slim
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
    /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production DATA_DIR=/data PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/content ./content
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A young generation of up to 64 MB per semi-space (Node's default is 16): a burst of taps allocates ~30 KB each,
# and with the default the collector pauses every half second under 1,000 taps/s, which sets the p99. The same
# flag is in package.json's start and bench:taps, so the benchmark measures the service as it runs.
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
