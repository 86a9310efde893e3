// Writes the REST bridge's OpenAPI document to a file, with no server, database or Redis:
// `node packages/api/scripts/write-openapi.ts <file> [public-url]` (default http://localhost:8000, the
// server's own default).
import { writeFileSync } from 'node:fs';
import { apiEnvSchema } from '../src/env.ts';
import { openApiDocument } from '../src/rest/rest.ts';

const [file, url = 'http://localhost:8000'] = process.argv.slice(2);
if (!file) {
  console.error('usage: write-openapi.ts <file> [public-url]');
  process.exit(2);
}
// The same rule as the PUBLIC_URL variable (http(s) only, no trailing slash).
const publicUrl = apiEnvSchema.shape.PUBLIC_URL.parse(url) ?? url;
writeFileSync(file, `${JSON.stringify(openApiDocument(publicUrl), null, 2)}\n`);
