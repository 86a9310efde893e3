// Generates the Prisma client offline. `prisma generate` does not use the native schema engine,
// but the CLI insists that one exists: point it at this Node binary so nothing is downloaded.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const packageDir = path.resolve(import.meta.dirname, '../..');

const result = spawnSync(process.execPath, [cli, 'generate', '--no-hints'], {
  cwd: packageDir,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
process.exit(result.status ?? 1);
