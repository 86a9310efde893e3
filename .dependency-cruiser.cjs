// The direction of dependencies, checked by dependency-cruiser in `pnpm lint`:
//   apps (apps/api, apps/worker) → packages; among packages
//   db ← core ← runtime, api ← testing; the client depends on none of them.
// No package imports an app, nothing at runtime imports the test helpers, and code outside a
// package reaches it only through its published entry points (its package name).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not depend on themselves through others.',
      from: { pathNot: '/generated/' },
      to: { circular: true },
    },
    {
      name: 'packages-do-not-import-apps',
      severity: 'error',
      comment: 'Apps are processes built from packages; a package never imports an app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      comment: 'What two apps share belongs in a package (e.g. @chronicle/runtime).',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-test-helpers-at-runtime',
      severity: 'error',
      comment: 'Product code never depends on @chronicle/testing (only tests and the bench do).',
      from: { path: '^(packages/(?!testing/)[^/]+|apps/[^/]+)/src/' },
      to: { path: '^packages/testing/' },
    },
    // Each package's src may import only the packages below it (and itself).
    ...Object.entries({
      db: ['db'],
      core: ['core', 'db'],
      runtime: ['runtime', 'core', 'db'],
      api: ['api', 'core', 'db'],
      client: ['client'],
    }).map(([name, allowed]) => ({
      name: `${name}-layer`,
      severity: 'error',
      comment: `packages/${name} depends only on: ${allowed.join(', ')}`,
      from: { path: `^packages/${name}/src/` },
      to: { path: '^(packages|apps)/', pathNot: `^packages/(${allowed.join('|')})/` },
    })),
    {
      name: 'published-entry-points-only',
      severity: 'error',
      comment:
        'Reach another package by its name (its package.json exports), never by a relative path into its files.',
      from: { path: '^(packages|apps)/([^/]+)/|^(bench|scripts|examples|test)/' },
      to: {
        dependencyTypes: ['local'],
        path: '^(packages|apps)/',
        pathNot: ['^$1/$2/', '/generated/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/|/dist/|^bench/results/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
  },
};
