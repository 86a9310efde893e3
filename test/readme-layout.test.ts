// The README's project layout names exactly the workspace's apps and packages, each with its
// package name, and every top-level folder it lists exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

function layoutBlock(): string[] {
  const section = readme.split('\n## Project layout\n')[1] ?? '';
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no project layout block');
  return block.split('\n');
}

function packageName(file: string): string {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'name' in parsed &&
    typeof parsed.name === 'string'
  ) {
    return parsed.name;
  }
  throw new Error(`${file} has no name`);
}

function workspace(folder: 'apps' | 'packages'): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && existsSync(path.join(root, folder, entry.name, 'package.json')),
    )
    .map((entry) => {
      const file = path.join(root, folder, entry.name, 'package.json');
      return `${folder}/${entry.name} ${packageName(file)}`;
    })
    .sort();
}

describe('README project layout', () => {
  const lines = layoutBlock();

  it('lists every app and package with its package name, and nothing else', () => {
    const listed: string[] = [];
    let parent = '';
    for (const line of lines) {
      const top = /^(\w[\w-]*)\/(\s|$)/.exec(line);
      if (top?.[1]) parent = top[1];
      const child = /^ {2}([\w-]+)\/\s+(@chronicle\/[\w-]+)/.exec(line);
      if (child?.[1] && child[2]) listed.push(`${parent}/${child[1]} ${child[2]}`);
    }
    expect(listed.sort()).toEqual([...workspace('apps'), ...workspace('packages')].sort());
  });

  it('names only top-level folders that exist', () => {
    const folders = lines.flatMap((line) => /^(\w[\w-]*)\/(\s|$)/.exec(line)?.[1] ?? []);
    expect(folders.length).toBeGreaterThan(5);
    for (const folder of folders) expect(existsSync(path.join(root, folder)), folder).toBe(true);
  });
});
