// The core package's unit tests: pure functions and schemas, no PostgreSQL, no Redis.
import { defineProject } from 'vitest/config';
import { chronicleProject } from '../../vitest.shared.ts';

const { test: shared } = chronicleProject('core');

export default defineProject({
  test: {
    ...shared,
    // The shared global setup connects to PostgreSQL to name and drop the run's databases;
    // these tests create none, so they must run (and stay fast) with no database server at all.
    globalSetup: [],
  },
});
