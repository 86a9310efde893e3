// Drives load through bench/load.ts, always its own process: the spec goes in a file (tokens do
// not fit in an argument) and the result comes back as its one JSON output line.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor, type LogLine } from '@chronicle/testing';
import type { KindResult, KindSpec, LoadResult, LoadSpec } from './load.ts';
import { LOAD_ENTRY, startNode } from './processes.ts';

function isLoadResult(line: LogLine): line is LogLine & LoadResult {
  return typeof line.durationMs === 'number' && typeof line.kinds === 'object';
}

/** Runs one load spec to its end (no deadline: a spec is bounded by its duration or amount). */
export async function runLoad(spec: LoadSpec, runId: string): Promise<LoadResult> {
  const file = path.join(os.tmpdir(), `chronicle-bench-${runId}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const generator = startNode([LOAD_ENTRY, file]);
  const code = await generator.exited(Infinity);
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return waitFor(() => generator.logs.findLast(isLoadResult), {
    timeoutMs: 5_000,
    message: 'the load generator result',
  });
}

/** Single-unit POST /order requests from the bench users, for one of `productIds` each. */
export function orderKind(tokens: string[], productIds: string[], weight = 1): KindSpec {
  return {
    name: 'order',
    weight,
    method: 'POST',
    paths: ['/order'],
    tokens,
    order: { productIds, quantity: 1 },
  };
}

export function kindOf(result: LoadResult, name: string): KindResult {
  const kind = result.kinds[name];
  if (!kind) throw new Error(`no results for ${name}`);
  return kind;
}
