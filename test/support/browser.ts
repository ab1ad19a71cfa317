import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from './agent-process.ts';

/** Debian's chromium; TIERWISE_CHROMIUM names another. */
const CHROMIUM = process.env.TIERWISE_CHROMIUM ?? '/usr/bin/chromium';

/** Screenshots land here for a person to look at (git-ignored). */
export const SCREENSHOTS = path.join(repoRoot, 'test-output', 'screenshots');

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Headless Chromium with everything that would reach out to the network switched off: the tests run
 * with no network, and a page of ours must need none.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set TIERWISE_CHROMIUM)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page did that it should not: console errors, uncaught exceptions, requests elsewhere. */
export interface PageWatch {
  errors: string[];
  /** Requests to anywhere but `allowed` (the page's own origin, or its file). */
  foreign: string[];
}

export async function watchPage(page: Page, allowed: (url: string) => boolean): Promise<PageWatch> {
  const watch: PageWatch = { errors: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(m.text());
  });
  page.on('pageerror', (err) => watch.errors.push(err.message));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    watch.foreign.push(url);
    return route.abort();
  });
  return watch;
}

/**
 * Full-page screenshots at desktop and phone widths, and whether the page is wider than the phone:
 * a tidy page wraps or scrolls its own wide parts (tables) instead.
 */
export async function screenshots(page: Page, name: string): Promise<{ phoneOverflowPx: number }> {
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(VIEWPORTS.phone);
  // A string, as it runs in the page: this project's TypeScript has no DOM types.
  const phoneOverflowPx = Number(
    await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
  );
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  return { phoneOverflowPx };
}

/** The end of every page check: screenshots for a person, then nothing wider than a phone, no errors, nothing fetched elsewhere. */
export async function expectTidyPage(page: Page, watch: PageWatch, name: string): Promise<void> {
  const shot = await screenshots(page, name);
  expect(shot.phoneOverflowPx).toBeLessThanOrEqual(0);
  expect(watch.errors).toEqual([]);
  expect(watch.foreign).toEqual([]);
  await page.close();
}
