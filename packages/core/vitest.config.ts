// The core package's unit tests: pure functions and schemas, no PostgreSQL, no Redis.
import { chronicleUnitProject } from '../../vitest.shared.ts';

export default chronicleUnitProject('core');
