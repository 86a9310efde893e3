// The API library's unit tests (permissions, bearer tokens, route labels, the login limiter on
// its in-process store, …): no PostgreSQL, no Redis. Its integration tests are in apps/api.
import { chronicleUnitProject } from '../../vitest.shared.ts';

export default chronicleUnitProject('api');
