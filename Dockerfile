# syntax=docker/dockerfile:1
# One image for every Chronicle process; docker-compose.yml picks the command (migrate, api,
# worker) from scripts/commands.ts — the same commands `pnpm start` runs natively.

FROM node:24-slim AS pnpm
RUN npm install -g pnpm@12.4.2
WORKDIR /app

# Full install, only to generate the Prisma client (postinstall of @chronicle/db, offline).
FROM pnpm AS generate
COPY . .
RUN pnpm install --frozen-lockfile

# The workspace with production dependencies only (no compilers, linters or test tools).
FROM pnpm AS prod-deps
COPY . .
RUN pnpm install --prod --frozen-lockfile --ignore-scripts

FROM node:24-slim AS runtime
# tini is PID 1: it forwards SIGTERM to Node (graceful shutdown) and reaps zombies.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app ./
COPY --from=generate --chown=node:node /app/packages/db/src/generated ./packages/db/src/generated
USER node
EXPOSE 8000 9464
# The API answers on 8000; a worker's /healthz is on its metrics port (compose sets HEALTHCHECK_PORT).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTHCHECK_PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--"]
CMD ["node", "--max-old-space-size=192", "--max-semi-space-size=16", "apps/api/src/main.ts"]
