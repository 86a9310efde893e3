// The /docs page in a real browser: it renders every operation, "Try it out" works, and the page
// asks no host but the API for anything (no validator badge, no outside assets), as offline.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEnvSchema } from '@chronicle/api';
import { freePort } from '@chronicle/core';
import { useTestApp } from '@chronicle/testing';

// Swagger UI only calls its validator for a spec served under a name other than localhost, so the
// page is loaded under this name, which the browser maps to the loopback address.
const DOCS_HOST = 'docs.example.test';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const UI_TIMEOUT_MS = 15_000;

/**
 * "Try it out" calls the document's servers[0]. Built from the Host header it is the page's own
 * host; once a configured PUBLIC_URL replaces that, the test configures it to the page's host,
 * which needs the port up front.
 */
async function appOverrides(): Promise<Record<string, string>> {
  if (!('PUBLIC_URL' in apiEnvSchema.shape)) return {};
  const port = await freePort();
  return { PORT: String(port), PUBLIC_URL: `http://${DOCS_HOST}:${port}` };
}

function operationCount(document: unknown): number {
  if (typeof document !== 'object' || document === null || !('paths' in document)) {
    throw new Error('/openapi.json has no paths');
  }
  const paths: unknown = document.paths;
  if (typeof paths !== 'object' || paths === null)
    throw new Error('/openapi.json paths is no object');
  return Object.values(paths).reduce<number>(
    (count, item: unknown) =>
      typeof item === 'object' && item !== null
        ? count + Object.keys(item).filter((key) => HTTP_METHODS.has(key)).length
        : count,
    0,
  );
}

describe('/docs in a browser', () => {
  const app = useTestApp(appOverrides);
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  let docsUrl: string;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    docsUrl = `http://${DOCS_HOST}:${new URL(app.url).port}/docs`;
    userDataDir = await mkdtemp(path.join(tmpdir(), 'chronicle-docs-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        // Chromium's own traffic (updates, sync, field trials) would otherwise try the network.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Every other name fails to resolve, so the page sees the same as offline even where CI
        // has network access; requests are still observed below before they fail.
        `--host-resolver-rules=MAP ${DOCS_HOST} 127.0.0.1, MAP * ~NOTFOUND`,
      ],
    });
    // The context sees requests of every page and worker, not only this page's.
    context.on('request', (request) => {
      requests.push(request.url());
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => {
      pageErrors.push(error.message);
    });
  });

  afterAll(async () => {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('renders every operation, runs GET /product, and asks no other host for anything', async () => {
    const document: unknown = await (await fetch(`${app.url}/openapi.json`)).json();
    const operations = operationCount(document);
    expect(operations).toBeGreaterThan(0);

    const response = await page.goto(docsUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");

    const opblocks = page.locator('.opblock');
    await opblocks.nth(operations - 1).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await opblocks.count()).toBe(operations);

    const listProducts = page
      .locator('.opblock.opblock-get')
      .filter({ has: page.locator('.opblock-summary-path[data-path="/product"]') });
    await listProducts.locator('.opblock-summary').click();
    await listProducts.locator('button.try-out__btn').click();
    await listProducts.locator('button.execute').click();
    const liveStatus = listProducts.locator('.live-responses-table .response .response-col_status');
    await liveStatus.waitFor({ timeout: UI_TIMEOUT_MS });
    expect((await liveStatus.innerText()).trim()).toBe('200');

    // The page has settled (spec loaded, operation executed): whatever it was going to ask for,
    // including the validator badge, has been asked.
    await page.waitForLoadState('networkidle', { timeout: UI_TIMEOUT_MS });
    expect(requests).toContain(`${docsUrl}/swagger-ui-bundle.js`);
    // One assertion, so a failure shows the stray requests and the errors they caused together.
    expect({
      elsewhere: requests.filter((url) => new URL(url).hostname !== DOCS_HOST),
      consoleErrors,
      pageErrors,
    }).toEqual({ elsewhere: [], consoleErrors: [], pageErrors: [] });
  });
});

describe('/docs turned off', () => {
  const app = useTestApp({ API_DOCS_ENABLED: 'false' });

  it('serves neither the page nor its assets', async () => {
    for (const asset of ['/docs/', '/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js']) {
      expect((await fetch(`${app.url}${asset}`)).status, asset).toBe(404);
    }
  });
});
