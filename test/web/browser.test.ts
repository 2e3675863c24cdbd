// The explorer and a browser app on another origin, driven in a real headless Chromium on this
// machine, which reaches no host on the internet: exactly the offline condition to prove.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentToken } from '../../src/web/dev-token';
import { CreateOrganizationDocument, MeDocument } from '../generated/graphql';
import { GraphQLClient } from '../support/client';
import { createTestConsortium } from '../support/factories/consortium';
import { invite } from '../support/factories/membership';
import { createOrganization, type OrgUser } from '../support/factories/organization';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { feedOf } from '../support/ws';

const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const inCi = ['true', '1'].includes((process.env.CI ?? '').toLowerCase());
const skipReason = !chromiumPath && !inCi ? 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH); under CI=true this test never skips' : '';
if (skipReason) console.warn(`test/web/browser.test.ts skipped: ${skipReason}`);

const artifacts = resolve(__dirname, '../../.data/artifacts');

/** A page server on its own origin (localhost, while the gateway is 127.0.0.1), standing for a browser app. */
function otherOrigin(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!DOCTYPE html><title>partner app</title><p>partner app</p>');
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, origin: `http://localhost:${(server.address() as AddressInfo).port}` })));
}

describe.skipIf(Boolean(skipReason))(`in a headless browser${skipReason ? ` (skipped: ${skipReason})` : ''}`, { timeout: 180_000, retry: 2 }, () => {
  let browser: Browser;
  let gw: TestGateway;
  let allowed: { server: Server; origin: string };
  let refused: { server: Server; origin: string };

  beforeAll(async () => {
    [allowed, refused] = await Promise.all([otherOrigin(), otherOrigin()]);
    gw = await startTestGateway({ NODE_ENV: 'development', CORS_ORIGINS: allowed.origin });
    browser = await chromium.launch({
      executablePath: chromiumPath ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    allowed?.server.close();
    refused?.server.close();
  });

  /** Replaces the operation in the query editor, and waits until the editor shows it. */
  async function setQuery(page: Page, text: string, shows: string) {
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await expect
      .poll(
        async () => {
          await editor.click();
          await page.keyboard.press('Control+A');
          await page.keyboard.press('Delete');
          await page.keyboard.insertText(text);
          return (await editor.locator('.view-lines').innerText()).replace(/\s+/g, ' ');
        },
        { timeout: 45_000 },
      )
      .toContain(shows);
  }

  /**
   * Runs the editor's operation. While the editor still holds several operations (the page's
   * first text has two), GraphiQL's Run button opens a menu to pick one instead of running; its
   * list of operations follows the editor after a debounce, so a click right after typing can
   * open that menu, or run with the previous operation's name. Wait until the active tab is named
   * after the new operation and the button runs directly.
   */
  async function run(page: Page, operationName: string) {
    await expect.poll(() => page.locator('.graphiql-tab-active').first().innerText(), { timeout: 30_000 }).toContain(operationName);
    const button = page.locator('.graphiql-execute-button:not([aria-haspopup])').first();
    await button.waitFor({ timeout: 30_000 });
    await button.click();
  }

  const responseText = (page: Page) => page.locator('.graphiql-response .view-lines').first().innerText();

  it('runs me, streams consortiumEvents over graphql-ws and sees an invitation arrive, loading nothing from any other host', async () => {
    const gatewayHost = new URL(gw.url).host;
    // The development user of the page's token, with an organization and a consortium.
    const token = (await developmentToken(gw.config))!;
    const dev: OrgUser = { id: '', email: 'developer@example.com', client: new GraphQLClient(gw.url, async () => token) };
    // A retry of this test meets the organization its first attempt made.
    const { me } = await dev.client.ok(MeDocument, {});
    if (!me.organization) await dev.client.ok(CreateOrganizationDocument, { input: { name: `Developer org ${Date.now().toString(36)}`, plan: null } });
    const consortium = await createTestConsortium(dev);
    const partner = await createOrganization(gw);

    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const sockets: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    page.on('worker', (worker) => requests.push(worker.url()));
    page.on('console', (msg) => process.env.TEST_BROWSER_LOG && console.log('[page]', msg.text()));
    page.on('response', (res) => process.env.TEST_BROWSER_LOG && res.status() >= 400 && console.log('[page response]', res.status(), res.url()));
    page.on('pageerror', (error) => console.log('[page error]', error.message));
    try {
      await page.goto(new URL('/explorer', gw.url).href);
      // Ready once the headers tab holds the development token and the response editor is
      // mounted: until then GraphiQL's Run button does nothing (@graphiql/react's run() returns
      // early without a response editor), which a loaded machine makes easy to hit.
      await page.locator('.view-lines', { hasText: 'Bearer ey' }).first().waitFor({ timeout: 30_000 });
      await page.locator('.graphiql-response .monaco-editor').first().waitFor({ timeout: 30_000 });

      await setQuery(page, 'query Me { me { email accountRole } }', 'me { email accountRole }');
      await run(page, 'Me');
      await expect.poll(() => responseText(page), { timeout: 45_000 }).toContain('developer@example.com');

      await setQuery(page, `subscription Events { consortiumEvents(consortiumId: "${consortium.id}") { sequence kind subjectType } }`, 'sequence kind subjectType');
      const registered = feedOf(gw).registrations;
      await run(page, 'Events');
      // The event must be emitted after the gateway registered the page's subscription.
      await expect.poll(() => feedOf(gw).registrations, { timeout: 45_000 }).toBeGreaterThan(registered);
      await invite(dev, consortium.id, partner.id);
      await expect.poll(() => responseText(page), { timeout: 45_000 }).toContain('INVITATION_SENT');

    } finally {
      // Kept whether the test passes or not: it shows what the user saw.
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: resolve(artifacts, 'explorer.png') }).catch(() => undefined);
      await context.close();
    }
    expect(requests.length).toBeGreaterThan(3);
    for (const url of [...requests, ...sockets]) {
      expect(new URL(url).host, url).toBe(gatewayHost);
    }
    expect(sockets.every((url) => url.startsWith('ws://'))).toBe(true);
  });

  it('lets a page on an allowed origin call the API, and blocks one on another origin', async () => {
    const context = await browser.newContext();
    const token = (await developmentToken(gw.config))!;
    const call = (page: Page) =>
      page.evaluate(
        async ({ url, token }) => {
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({ query: '{ me { email } }' }),
            });
            return { status: res.status, body: await res.text() };
          } catch (error) {
            return { blocked: String(error) };
          }
        },
        { url: gw.url, token },
      );
    try {
      const page = await context.newPage();
      await page.goto(allowed.origin);
      const answer = await call(page);
      expect(answer).toMatchObject({ status: 200 });
      expect((answer as { body: string }).body).toContain('developer@example.com');

      await page.goto(refused.origin);
      expect(await call(page)).toMatchObject({ blocked: expect.stringMatching(/Failed to fetch/) });
    } finally {
      await context.close();
    }
  });
});
