import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../dev/chromium.ts';
import type { ContentType } from '../../src/domain/values.ts';
import { startPipeline, type Pipeline } from '../support/pipeline.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

/** Where the browser tests write the README's screenshots. */
export const SCREENSHOTS = new URL('../../docs/console/', import.meta.url).pathname;

export interface ConsoleSuite {
  stack: TestStack;
  pipeline: Pipeline;
  browser: Browser;
  base: string;
  /** A fresh browser context (its own sessionStorage), signed in through the development sign-in. */
  signIn(role: 'MASTER' | 'OWNER', subject: string): Promise<Page>;
  contexts: BrowserContext[];
}

/**
 * The running service on the suite's stack, with the development sign-in the embedded stack
 * offers, and Debian's Chromium driven headless by playwright-core.
 */
export function consoleSuite(): ConsoleSuite {
  const suite = { contexts: [] } as unknown as ConsoleSuite;
  beforeAll(async () => {
    suite.stack = await startTestStack();
    const { config, keys } = suite.stack;
    suite.pipeline = await startPipeline(suite.stack, { devSignIn: { privateKeyPem: keys.privateKeyPem, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE } });
    suite.base = `http://127.0.0.1:${suite.pipeline.service.httpPort}`;
    const executablePath = chromiumPath();
    if (executablePath === null) throw new Error('chromium is not on PATH: run `node scripts/ensure-chromium.ts` (npm test does) or apt-get install -y chromium');
    suite.browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.pipeline?.stop();
    await suite.stack?.stop();
  });
  suite.signIn = async (role, subject) => {
    const context = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
    suite.contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${suite.base}/console`);
    await page.selectOption('#dev-role', role);
    await page.fill('#dev-subject', subject);
    await page.click('#dev-sign-in button[type=submit]');
    await page.locator('#who').filter({ hasText: subject }).waitFor();
    return page;
  };
  return suite;
}

/** A README screenshot of the whole page (Korean, as the console opens). */
export const screenshot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

/** Ids with dots (contact.phone) as selectors. */
export const byId = (id: string) => `[id="${id}"]`;

/** Types `values` into the application form, by field id (name, specific.venue, contact.phone, …). */
export async function fillForm(page: Page, contentType: ContentType, values: Record<string, string>): Promise<void> {
  await page.check(`input[name=contentType][value=${contentType}]`);
  for (const [id, value] of Object.entries(values)) {
    const control = page.locator(byId(id));
    if (await control.evaluate((element) => element.tagName === 'SELECT')) await control.selectOption(value);
    else await control.fill(value);
  }
}
