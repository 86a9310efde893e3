// The /docs page (Swagger UI), served entirely by this process: it works offline and tells no
// other host which API it documents.
import express, { type Router } from 'express';
import swaggerUi, { type SwaggerUiOptions } from 'swagger-ui-express';

// The browser itself refuses anything from elsewhere, whatever a future Swagger UI release adds.
// Every script is a file of ours (swagger-ui-express serves its init script as
// swagger-ui-init.js, not inline); Swagger UI's page and components use inline styles, and its
// CSS draws icons from data: URLs.
// "Try it out" calls the document's server (PUBLIC_URL), which may be another origin than the one
// the page was opened under (localhost vs 127.0.0.1, a proxy's name): that one is allowed too.
const contentSecurityPolicy = (apiOrigin: string) =>
  [
    "default-src 'self'",
    `connect-src 'self' ${apiOrigin}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** The page for the document at `specUrl`, whose operations are served at `apiUrl`. */
export function docsPage(specUrl: string, apiUrl: string): Router {
  const policy = contentSecurityPolicy(new URL(apiUrl).origin);
  const options: SwaggerUiOptions = {
    swaggerUrl: specUrl,
    // Otherwise Swagger UI sends the spec's URL to validator.swagger.io (for any host but
    // localhost) and shows its verdict as a badge.
    swaggerOptions: { validatorUrl: null },
  };
  const docs = express.Router();
  docs.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', policy);
    next();
  });
  // serveFiles builds the init script from these options; plain `serve` would answer with
  // whatever the last setup() call anywhere in the process configured.
  docs.use(swaggerUi.serveFiles(undefined, options), swaggerUi.setup(undefined, options));
  return docs;
}
