// The results: rows (measurements, with their targets and pass/fail), checks (correctness) and
// memory (each process's peak a row too, against its target), printed as a markdown table and
// written with the raw JSON to bench/results/. Only the checks decide the exit code: a speed or
// memory target missed is FAIL in the table, not a failed run.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { POOL_MAX, root, type BenchConfig } from './config.ts';
import type { MemoryRow } from './memory.ts';

export interface Row {
  scenario: string;
  metric: string;
  value: number;
  p50?: number;
  p99?: number;
  ratio?: { to: string; value: number };
  target?: string;
  pass?: boolean;
}

export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export interface Results {
  rows: Row[];
  checks: Check[];
}

/** The most peak RSS each process may reach (MB): the API's, and each worker's. */
const PEAK_MB = { api: 250, worker: 150 } as const;

function peakRows(memory: MemoryRow[]): Row[] {
  return memory.map((m) => {
    const limit = m.process === 'api' ? PEAK_MB.api : PEAK_MB.worker;
    return {
      scenario: `peak RSS ${m.process}`,
      metric: 'MB',
      value: m.peakMb,
      target: `≤ ${limit} MB`,
      pass: m.peakMb <= limit,
    };
  });
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

function rowLine(r: Row): string {
  return `| ${r.scenario} | ${r.metric} | ${r.value} | ${r.p50 === undefined ? '' : fmt(r.p50)} | ${r.p99 === undefined ? '' : fmt(r.p99)} | ${r.ratio ? `${r.ratio.value.toFixed(2)}× ${r.ratio.to}` : ''} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'pass' : 'FAIL'} |`;
}

function markdown(
  config: BenchConfig,
  machineLine: string,
  { rows, checks }: Results,
  memory: MemoryRow[],
): string {
  return [
    `Chronicle benchmark — ${new Date().toISOString()}${config.quick ? ' (quick run)' : ''}`,
    '',
    `Machine: ${machineLine}; ${config.workerCount} worker processes; pools of ${POOL_MAX} connections.`,
    '',
    '| scenario | metric | value | p50 ms | p99 ms | ratio | target | result |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | --- |',
    ...rows.map(rowLine),
    '',
    '| check | result | detail |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.what} | ${c.ok ? 'pass' : 'FAIL'} | ${c.detail} |`),
    '',
    '| process | peak RSS MB | RSS after run 1 / 2 / 3 MB |',
    '| --- | ---: | --- |',
    ...memory.map((m) => `| ${m.process} | ${m.peakMb} | ${m.afterRunsMb.join(' / ')} |`),
  ].join('\n');
}

/**
 * Prints the table on stdout and writes it to bench/results/latest.md, with the raw figures to
 * bench/results/<timestamp>.json. Returns whether every check passed.
 */
export function report(config: BenchConfig, measured: Results, memory: MemoryRow[]): boolean {
  const results = { ...measured, rows: [...measured.rows, ...peakRows(memory)] };
  const machineLine = machine();
  const table = markdown(config, machineLine, results, memory);
  console.log(table);
  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const { quick, workerCount } = config;
  const { rows, checks } = results;
  writeFileSync(
    path.join(dir, `${stamp}.json`),
    JSON.stringify({ machine: machineLine, quick, workerCount, rows, checks, memory }, null, 2),
  );
  writeFileSync(path.join(dir, 'latest.md'), `${table}\n`);
  return checks.every((c) => c.ok);
}
