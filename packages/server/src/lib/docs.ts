import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { App } from '../app';

/**
 * `/docs`: the Scalar API reference, served from the installed `@scalar/api-reference` package
 * (its self-contained browser bundle) so the page works on a server without internet access.
 * Fonts, telemetry and the hosted AI agent are switched off: nothing is fetched from elsewhere.
 */
const BUNDLE = join(
  dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')),
  'browser/standalone.js',
);

const CONFIG = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: false,
};

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Outreach API</title>
  </head>
  <body>
    <div id="app"></div>
    <script src="/docs/assets/standalone.js"></script>
    <script>Scalar.createApiReference('#app', ${JSON.stringify(CONFIG)});</script>
  </body>
</html>
`;

export function registerDocs(app: App): void {
  let bundle: Promise<Buffer> | undefined;
  app.get('/docs', (c) =>
    c.html(PAGE, 200, {
      // the page may only load what this server serves
      'content-security-policy':
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'",
    }),
  );
  app.get('/docs/assets/standalone.js', async (c) => {
    bundle ??= readFile(BUNDLE);
    return c.body(new Uint8Array(await bundle), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    });
  });
}
