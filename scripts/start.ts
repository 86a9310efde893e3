// `pnpm start`: apply migrations, then run the API and one worker in the foreground with their
// logs interleaved. A signal stops both cleanly; if either dies, the other is stopped too.
// These are the same commands the containers run (scripts/commands.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { commands } from './commands.ts';

const root = path.resolve(import.meta.dirname, '..');
const node = process.execPath;

// The API refuses to start without JWT_SECRET. For a local try-out, make an ephemeral one
// (tokens then last until the next restart); a real deployment sets its own.
const env = { ...process.env };
if (!env.JWT_SECRET && env.NODE_ENV !== 'production') {
  env.JWT_SECRET = randomBytes(48).toString('base64');
  console.warn(
    'start: JWT_SECRET is not set; using a random one for this run (tokens will not survive a restart). Set JWT_SECRET for anything but a local try-out.',
  );
}

const migrated = spawnSync(node, commands.migrate, { cwd: root, stdio: 'inherit' });
if (migrated.status !== 0) {
  console.error('start: migrations failed; not starting the API and worker.');
  process.exit(migrated.status ?? 1);
}

const children = new Map<string, ChildProcess>();
let stopping = false;
let exitCode = 0;

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children.values()) child.kill(signal);
}

for (const name of ['api', 'worker'] as const) {
  // Own process group: a terminal's Ctrl-C reaches only this supervisor, which then sends
  // each child exactly one SIGTERM (a second signal would make them exit immediately). The IPC
  // channel lets a child notice if this supervisor is killed outright, and shut down too.
  const child = spawn(node, commands[name], {
    cwd: root,
    env,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`start: ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
      stopping = true;
      exitCode = 1;
      stopAll('SIGTERM');
    } else if (code !== 0) {
      exitCode = code ?? 1;
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    signals += 1;
    stopping = true;
    stopAll(signals > 1 ? 'SIGKILL' : 'SIGTERM');
  });
}
