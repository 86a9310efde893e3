import { chronicleProject } from '../../vitest.shared.ts';

export default chronicleProject('api-server');
