# lakegate: PostgreSQL wire protocol over a lake, executed in DuckDB.
#
#   docker build -t lakegate .
#   docker run -p 5433:5433 -p 9187:9187 lakegate                       # the example catalog
#   docker run -p 5433:5433 -p 9187:9187 \
#     -v "$PWD/mycatalog:/etc/lakegate:ro" -e LAKEGATE_CATALOG=/etc/lakegate \
#     -e CRM_DATABASE_URL=postgresql://... lakegate                       # your catalog; secrets via env
#
# Every option of `lakegate serve` can be set with its LAKEGATE_* variable (README: Configuration).

# --- build: compile TypeScript, build the one native module (better-sqlite3) --------------------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; the native module is built explicitly
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- production dependencies only --------------------------------------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# no scripts here (no compiler in this stage): DuckDB ships prebuilt binaries, libpg-query is WASM,
# and better-sqlite3's binary comes from the build stage (same base image, same Node ABI)
RUN npm ci --omit=dev --ignore-scripts
COPY --from=build /app/node_modules/better-sqlite3/build/Release/better_sqlite3.node ./node_modules/better-sqlite3/build/Release/better_sqlite3.node

# --- runtime -------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    LAKEGATE_HOST=0.0.0.0 \
    LAKEGATE_PORT=5433 \
    LAKEGATE_HTTP_PORT=0.0.0.0:9187 \
    LAKEGATE_LOG_FORMAT=json \
    LAKEGATE_TEMP_DIRECTORY=/tmp/lakegate \
    UV_THREADPOOL_SIZE=16
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# the example catalog; its lake is generated into catalog/lake at first start, so it must be writable
COPY --chown=node:node catalog ./catalog
RUN mkdir -p /tmp/lakegate && chown node:node /tmp/lakegate
USER node
EXPOSE 5433 9187
# ready = catalog loaded, DuckDB answers, not shutting down (GET /readyz on the HTTP port)
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const p=(process.env.LAKEGATE_HTTP_PORT||'9187').split(':').pop();fetch('http://127.0.0.1:'+p+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains: running statements get LAKEGATE_SHUTDOWN_GRACE (default 30s) to finish.
# Give `docker stop -t` (or terminationGracePeriodSeconds) a little more than that.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/lakegate.cjs"]
CMD ["serve"]
