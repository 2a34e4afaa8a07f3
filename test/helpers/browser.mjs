// Headless Chromium for the HTML page's tests: Debian's package (chromium-headless-shell, or chromium),
// driven by playwright-core (which downloads no browser of its own). Missing, the tests fail with one
// line saying what to install: they are never skipped.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const INSTALL_LINE =
  'no Chromium for the browser tests: run `apt-get install -y chromium-headless-shell` (Debian; `chromium` works too), or set ADAPTER_HAMMER_CHROMIUM to a Chromium binary';

/** Flags the machine needs: root (no sandbox), no GPU, and no background traffic to Google's hosts. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath(env = process.env) {
  const candidates = [env.ADAPTER_HAMMER_CHROMIUM, '/usr/bin/chromium-headless-shell', '/usr/bin/chromium'].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** A browser with a fresh profile (Playwright gives every launch its own --user-data-dir, removed on close). */
export async function launchBrowser() {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(INSTALL_LINE);
  return chromium.launch({ executablePath, headless: true, args: FLAGS });
}

/**
 * Open a page and record what should never happen on it: console errors and warnings, uncaught
 * exceptions, and any request that is not the file itself.
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}
