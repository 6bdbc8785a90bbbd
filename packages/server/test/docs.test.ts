/**
 * `/docs` works offline: served from the installed @scalar/api-reference bundle, loaded in
 * headless Chromium with every non-loopback request blocked (and recorded), it renders the
 * operation list from /openapi.json and attempted no request off this machine.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from './support';

const CHROMIUM = '/usr/bin/chromium';

let t: TestApp;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error('chromium is not installed: apt-get install -y chromium');
  t = await makeTestApp();
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => server.once('listening', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // playwright starts every launch on a fresh, empty profile (its own --user-data-dir)
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => server?.close(() => r()));
  t?.close();
});

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

describe('/docs', () => {
  it('serves the page and the bundle from this server', async () => {
    const page = await fetch(`${baseUrl}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/docs/assets/standalone.js');
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${baseUrl}/docs/assets/standalone.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  });

  it('renders the operation list in Chromium with the network cut off', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const offMachine: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      offMachine.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('request', (req) => {
      if (!isLoopback(req.url()) && !offMachine.includes(req.url())) offMachine.push(req.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
      // the sidebar lists the operations by summary, grouped by tag
      await page.getByText('Create a campaign', { exact: true }).first().waitFor({ timeout: 60_000 });
      const text = (await page.locator('body').textContent()) ?? '';
      // the first group is open with its operations; the others are listed by tag
      for (const summary of ['List campaigns, oldest first', 'Rename a campaign or change its priority']) {
        expect(text).toContain(summary);
      }
      for (const tag of [
        'Steps',
        'Contacts',
        'Imports',
        'Mailboxes',
        'Campaign mailboxes',
        'Launch and lifecycle',
      ]) {
        expect(text).toContain(tag);
      }
      await page.waitForLoadState('networkidle');
      expect(offMachine).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
