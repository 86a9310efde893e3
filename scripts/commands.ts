// The commands that run Chronicle's processes. `pnpm start` (scripts/start.ts), the Dockerfile and
// docker-compose.yml all use exactly these (test/deployment.test.ts checks it): one path.
export const commands = {
  migrate: ['packages/db/src/migrations/cli.ts', 'migrate'],
  api: ['apps/api/src/main.ts'],
  worker: ['apps/worker/src/main.ts'],
} as const;
