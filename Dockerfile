# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and native modules.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci && npm run build && npm prune --omit=dev

# Runtime stage: only what serving needs, as a non-root user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY package.json ./
COPY catalog/catalog.yaml ./catalog/catalog.yaml
RUN useradd --system --uid 10001 --home /app lakegate && mkdir -p /app/catalog/lake && chown -R lakegate /app/catalog
USER lakegate
EXPOSE 5433
# Mount your own catalog at /catalog and run: serve --catalog /catalog
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "require('net').connect(5433,'127.0.0.1').on('connect',function(){this.end();process.exit(0)}).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "bin/lakegate.js"]
CMD ["serve", "--host", "0.0.0.0"]
