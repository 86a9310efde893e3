// `pnpm postman [--env-var key=value …]`: runs the Postman collection with newman against a
// running API and exits 0 when every assertion passed, 1 otherwise (2 for bad configuration).
// Which API, and as which admin, comes from the same variables as the other commands, so the
// target is the one `pnpm start` runs; test/postman.test.ts calls runPostman() itself.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { NewmanRunSummary } from 'newman';

const collectionFile = path.resolve(
  import.meta.dirname,
  '../postman/chronicle.postman_collection.json',
);
const environmentFile = path.resolve(
  import.meta.dirname,
  '../postman/chronicle.postman_environment.json',
);

/** The API's own default port (packages/api/src/env.ts), so no variable means `pnpm start`'s API. */
const DEFAULT_PORT = 8000;

const usage = `usage: pnpm postman [--env-var <name>=<value> …]
  CHRONICLE_URL             base URL of the API (e.g. https://api.example.com); wins over PORT
  PORT                      the local API's port: http://localhost:$PORT (default ${DEFAULT_PORT})
  CHRONICLE_ADMIN_EMAIL     the admin the collection logs in as (adminEmail)
  CHRONICLE_ADMIN_PASSWORD  that admin's password (adminPassword)
  --env-var name=value      any environment variable of the collection, last (e.g. baseUrl=…)`;

export class PostmanConfigError extends Error {
  override name = 'PostmanConfigError';
}

export interface PostmanVariable {
  key: string;
  value: string;
}

/** Environment variables of the run (newman's --env-var), from the process env and arguments. */
export function postmanVariables(
  env: Record<string, string | undefined>,
  args: readonly string[] = [],
): PostmanVariable[] {
  // A variable set to the empty string (`PORT= pnpm postman`) counts as unset, as elsewhere.
  const read = (name: string) => (env[name] === '' ? undefined : env[name]);
  const variables = new Map<string, string>();
  variables.set('baseUrl', baseUrlFrom(read('CHRONICLE_URL'), read('PORT')));
  const email = read('CHRONICLE_ADMIN_EMAIL');
  if (email !== undefined) variables.set('adminEmail', email);
  const password = read('CHRONICLE_ADMIN_PASSWORD');
  if (password !== undefined) variables.set('adminPassword', password);

  let values: string[];
  try {
    ({
      values: { 'env-var': values = [] },
    } = parseArgs({
      args: [...args],
      options: { 'env-var': { type: 'string', multiple: true } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new PostmanConfigError(error instanceof Error ? error.message : String(error));
  }
  for (const pair of values) {
    const at = pair.indexOf('=');
    if (at < 1) throw new PostmanConfigError(`--env-var ${pair}: expected <name>=<value>`);
    variables.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return [...variables].map(([key, value]) => ({ key, value }));
}

function baseUrlFrom(url: string | undefined, port: string | undefined): string {
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PostmanConfigError(
        `CHRONICLE_URL=${url} is not a URL (e.g. http://localhost:8000)`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new PostmanConfigError(`CHRONICLE_URL=${url} must start with http:// or https://`);
    }
    // The collection appends paths (`{{baseUrl}}/healthz`); a trailing slash would double it.
    return url.replace(/\/+$/, '');
  }
  if (port === undefined) return `http://localhost:${DEFAULT_PORT}`;
  const number = Number(port);
  // PORT=0 lets the API pick a free port; a client cannot guess which, so it needs the URL.
  if (!/^\d+$/.test(port) || number < 1 || number > 65_535) {
    throw new PostmanConfigError(
      `PORT=${port} is not a port the API can be reached on (1–65535); set CHRONICLE_URL instead`,
    );
  }
  return `http://localhost:${number}`;
}

export interface PostmanRun {
  baseUrl: string;
  summary: NewmanRunSummary;
  /** One line per failed assertion or request: "<request>: <message>". */
  failures: string[];
  /** The collection variables (tokens, ids, per-run names) as the run left them. */
  collectionVariables: Record<string, string>;
}

/**
 * Runs the collection once. `collectionVariables` seeds the collection's variables, as the
 * Postman app keeps them from one run to the next (newman alone starts from the file each time).
 */
export async function runPostman(options: {
  env: Record<string, string | undefined>;
  args?: readonly string[];
  collectionVariables?: Record<string, string>;
}): Promise<PostmanRun> {
  const envVar = postmanVariables(options.env, options.args);
  const baseUrl = envVar.find((v) => v.key === 'baseUrl')?.value ?? '';
  const collection = options.collectionVariables
    ? await seededCollection(options.collectionVariables)
    : collectionFile;
  // Loaded here, not at the top: a configuration error is reported without loading newman.
  const { default: newman } = await import('newman');
  let collectionVariables: Record<string, string> = {};
  const summary = await new Promise<NewmanRunSummary>((resolve, reject) => {
    newman
      .run(
        {
          collection,
          environment: environmentFile,
          envVar,
          reporters: [],
          // A remote API that never answers must not hang the command.
          timeoutRequest: 30_000,
        },
        (error, result) => {
          if (error) reject(error);
          else resolve(result);
        },
      )
      // Each script's result carries the collection variables after it; the last one is final.
      .on('script', (_error: unknown, event: unknown) => {
        collectionVariables = variablesOf(event) ?? collectionVariables;
      });
  });
  // A request that got no answer also fails each of its assertions; its own error says it all.
  const unanswered = new Set(
    summary.run.failures.filter((f) => f.at === 'request').map((f) => f.source?.name),
  );
  const failures = summary.run.failures
    .filter((f) => f.at === 'request' || !unanswered.has(f.source?.name))
    .map((f) => `${f.source?.name ?? '?'}: ${f.error.message}`);
  return { baseUrl, summary, failures, collectionVariables };
}

async function seededCollection(values: Record<string, string>): Promise<object> {
  const parsed: unknown = JSON.parse(await readFile(collectionFile, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) {
    throw new Error(`${collectionFile} is not a collection`);
  }
  return { ...parsed, variable: Object.entries(values).map(([key, value]) => ({ key, value })) };
}

/** The collection variables in a newman `script` event, if it has them. */
function variablesOf(event: unknown): Record<string, string> | undefined {
  if (typeof event !== 'object' || event === null || !('execution' in event)) return undefined;
  const { execution } = event;
  if (typeof execution !== 'object' || execution === null) return undefined;
  if (!('collectionVariables' in execution)) return undefined;
  // A VariableScope; its JSON form ({ values: [{ key, value }] }) is what can be checked.
  return valuesOf(JSON.parse(JSON.stringify(execution.collectionVariables)));
}

/** The string `key`/`value` pairs of a Postman variable list (`{ values: [{ key, value }] }`). */
function valuesOf(scope: unknown): Record<string, string> | undefined {
  if (typeof scope !== 'object' || scope === null || !('values' in scope)) return undefined;
  const entries: unknown[] = Array.isArray(scope.values) ? scope.values : [];
  const result: Record<string, string> = {};
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    if (!('key' in entry) || !('value' in entry)) continue;
    const { key, value } = entry;
    if (typeof key === 'string' && typeof value === 'string') result[key] = value;
  }
  return result;
}

/** The variables of postman/chronicle.postman_environment.json (baseUrl, adminEmail, …). */
export async function environmentFileValues(): Promise<Record<string, string>> {
  const values = valuesOf(JSON.parse(await readFile(environmentFile, 'utf8')));
  if (!values) throw new Error(`${environmentFile} has no values`);
  return values;
}

/** What `pnpm postman` prints after a run. */
function describeRun({ baseUrl, summary, failures }: PostmanRun): string[] {
  const requests = summary.run.stats.requests.total ?? 0;
  const assertions = summary.run.stats.assertions.total ?? 0;
  const unanswered = summary.run.failures.filter((f) => f.at === 'request');
  const hint = `is the API running there? Start it with \`pnpm start\`, or point this command at it with PORT or CHRONICLE_URL.`;
  const [first] = unanswered;
  // Nothing answered at all: one line instead of the same error for every request.
  const lines =
    first && unanswered.length === requests
      ? [`  ✗ no answer from ${baseUrl} (${first.error.message}): ${hint}`]
      : failures.map((failure) => `  ✗ ${failure}`);
  if (first && unanswered.length < requests) {
    lines.push(`  ${unanswered.length} requests to ${baseUrl} got no answer: ${hint}`);
  }
  lines.push(
    `postman: ${requests} requests, ${assertions} assertions against ${baseUrl}: ${failures.length === 0 ? 'all passed' : `${failures.length} failed`}`,
  );
  return lines;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    process.exit(0);
  }
  try {
    const run = await runPostman({ env: process.env, args });
    for (const line of describeRun(run)) console.log(line);
    process.exitCode = run.failures.length === 0 ? 0 : 1;
  } catch (error) {
    if (!(error instanceof PostmanConfigError)) throw error;
    console.error(`postman: ${error.message}\n${usage}`);
    process.exitCode = 2;
  }
}
