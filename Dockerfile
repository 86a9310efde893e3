# One image for every Chronicle process (migrate, api, worker); compose picks the command.
# The commands are the same ones `pnpm start` runs natively (scripts/start.ts).
FROM node:24-slim AS build
RUN npm install -g pnpm@12.4.2
WORKDIR /app
COPY . .
# Installs the workspace and generates the Prisma client (postinstall of @chronicle/db).
RUN pnpm install --frozen-lockfile

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "packages/api/src/main.ts"]
