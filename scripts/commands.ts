// The commands that run Chronicle's processes. `pnpm start` (scripts/start.ts), the Dockerfile,
// docker-compose.yml and the bench all use exactly these (test/deployment.test.ts checks it): one
// path.
//
// The long-running processes cap V8's heap. Left to its defaults on a large machine, V8 grows
// its young generation and old space far past what the process holds live (about 50-65 MB for
// the API under load) before collecting, so resident memory under load doubles; with these caps
// it stays near its idle size, for about 15 % more CPU per accepted order (more frequent young
// collections). README "Performance" has the measurements behind the figures.
//
// A worker also starts with fewer glibc malloc arenas for its threads (commandEnv): about 10 MB
// less resident memory, and its batches spend their time in the database, not in malloc.
const heap = (oldSpaceMb: number, semiSpaceMb: number) =>
  [`--max-old-space-size=${oldSpaceMb}`, `--max-semi-space-size=${semiSpaceMb}`] as const;

export const commands = {
  migrate: ['packages/db/src/migrations/cli.ts', 'migrate'],
  api: [...heap(192, 16), 'apps/api/src/main.ts'],
  worker: [...heap(96, 1), 'apps/worker/src/main.ts'],
} as const;

type CommandName = keyof typeof commands;

/** Environment variables a command starts with, unless the environment sets them already. */
export const commandEnv: Partial<Record<CommandName, Record<string, string>>> = {
  worker: { MALLOC_ARENA_MAX: '2' },
};
