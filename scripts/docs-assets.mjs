// Copies the API reference's renderer (Swagger UI's browser bundle and stylesheet, with their
// licence) from node_modules into dist/, so `/docs` works offline and the package carries it:
// swagger-ui-dist stays a build-time dependency, and so does its install-time analytics package.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const from = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const to = 'dist/api/docs-assets';
mkdirSync(to, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE', 'swagger-ui-bundle.js.LICENSE.txt']) {
  copyFileSync(join(from, file), join(to, file));
}
