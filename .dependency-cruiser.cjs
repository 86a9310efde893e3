// The direction of dependencies, checked by dependency-cruiser in `pnpm lint`:
//   apps (apps/api, apps/worker) → packages; among packages
//   db ← core ← runtime, api ← testing; client depends on none of them at runtime.
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
    {
      name: 'db-is-the-bottom-layer',
      severity: 'error',
      from: { path: '^packages/db/src/' },
      to: { path: '^(packages/(?!db/)[^/]+|apps)/' },
    },
    {
      name: 'core-depends-only-on-db',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: '^(packages/(?!(core|db)/)[^/]+|apps)/' },
    },
    {
      name: 'runtime-and-api-are-siblings',
      severity: 'error',
      comment: 'The API library takes a runtime through an interface; neither imports the other.',
      from: { path: '^packages/(runtime|api)/src/' },
      to: {
        path: '^packages/(client|testing)/|^packages/(runtime|api)/',
        pathNot: '^packages/$1/',
      },
    },
    {
      name: 'client-is-standalone',
      severity: 'error',
      comment: 'The published client carries the router types it was generated with, nothing else.',
      from: { path: '^packages/client/src/' },
      to: { path: '^(packages/(?!client/)[^/]+|apps)/' },
    },
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
