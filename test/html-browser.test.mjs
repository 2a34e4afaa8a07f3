// The HTML page (--html) in a real browser: headless Chromium from Debian's packages, driven by
// playwright-core. A page of a real failing run loads from file:// without a console error or a request,
// shows its findings and timeline (a screenshot is kept in test/artifacts/); markup an adapter returns
// or throws stays text; the drawings need no JavaScript; the script's hover, keys and copy work.
// Without Chromium these tests fail with one line saying what to install (helpers/browser.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { toHtml } from '../dist/reporters/html/page.js';
import { launchBrowser, openPage } from './helpers/browser.mjs';
import { ROOT, fixture, runCli } from './helpers/cli.mjs';
import { failingReport } from './helpers/report.mjs';

const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const XSS = '<img src=x onerror="window.__pwned=1">';

let browser;
let dir;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ah-browser-'));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Write a page for a report into the temp dir; its file:// URL. */
function pageOf(name, report) {
  const file = path.join(dir, name);
  writeFileSync(file, toHtml(report));
  return pathToFileURL(file).href;
}

test('browser: a failing lazy-init-unsafe run’s page loads cleanly, shows its findings and the failing round; screenshot kept', async () => {
  const file = path.join(dir, 'lazy-init.html');
  const json = path.join(dir, 'lazy-init.json');
  const r = await runCli([fixture('lazy-init-unsafe.mjs'), '-s', 'race', '--seed', '11', '--html', file, '--json', json]);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const url = pathToFileURL(file).href;
    const { page, problems } = await openPage(context, url);
    assert.equal(await page.locator('.verdict .word').first().textContent(), 'FAIL');
    const finding = page.locator('li.finding').first();
    assert.ok(await finding.isVisible());
    assert.match(await finding.textContent(), /mismatch.*counter 'inits' is 2, expected 1/s);
    // The finding's link leads to its round's timeline, drawn with a bar per call.
    const link = finding.locator('a.goto');
    const target = (await link.getAttribute('href')).slice(1);
    await link.click();
    assert.equal(await page.evaluate(() => location.hash.slice(1)), target);
    const figure = page.locator(`figure#${target}`);
    assert.ok(await figure.isVisible());
    assert.ok((await figure.locator('g.call').count()) >= 2);
    const box = await figure.locator('svg.tl').boundingBox();
    assert.ok(box.width > 100 && box.height > 40, `timeline drawn ${JSON.stringify(box)}`);
    // The shrunk round beside it, when the search for a smaller setup found one in its time (a loaded machine may not).
    const shrunk = page.locator('figure.timeline[id$="-min"]');
    if (report.strategies[0].minimal?.history) assert.ok(await shrunk.first().isVisible());
    else assert.equal(await shrunk.count(), 0);
    assert.deepEqual(problems, []);
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, 'lazy-init-unsafe.png');
    await page.screenshot({ path: shot, fullPage: true });
    await page
      .locator('section.strategy')
      .first()
      .screenshot({ path: path.join(ARTIFACTS, 'lazy-init-unsafe-race.png') });
    assert.ok(statSync(shot).size > 10_000);
  } finally {
    await context.close();
  }
});

test('browser: markup an adapter returns or throws stays text, in HTML and in SVG', async () => {
  const adapter = path.join(dir, 'xss.mjs');
  writeFileSync(
    adapter,
    `const XSS = ${JSON.stringify(XSS)};
export default {
  threadSafe: true,
  operations: {
    echo: { input: () => XSS, run: (x) => x + '!' },
    boom() { throw new Error(XSS); },
  },
  stats: () => ({ [XSS]: 1 }),
  expected: () => ({ [XSS]: 2 }),
};
`,
  );
  const file = path.join(dir, 'xss.html');
  const r = await runCli([
    adapter,
    '-s',
    'hammer,race',
    '-n',
    '200',
    '-r',
    '10',
    '-i',
    '5',
    '-w',
    '2',
    '-c',
    '2',
    '--scheduler',
    'off',
    '--seed',
    '3',
    '--html',
    file,
  ]);
  assert.equal(r.code, 1, r.stderr);
  const text = readFileSync(file, 'utf8');
  const context = await browser.newContext();
  try {
    const check = async (page) => {
      const seen = await page.evaluate(() => ({
        pwned: window.__pwned,
        imgs: document.querySelectorAll('img').length,
        body: document.body.innerText,
        svg: [...document.querySelectorAll('svg text, svg title')].map((t) => t.textContent).join('\n'),
      }));
      assert.equal(seen.pwned, undefined);
      assert.equal(seen.imgs, 0);
      assert.ok(seen.body.includes(XSS), 'the payload is shown as text');
      assert.ok(seen.svg.includes('<img src=x'), 'and as text in the timeline');
      assert.ok(seen.body.includes(`counter '${XSS}'`) || seen.body.includes(XSS), 'the counter name too');
    };
    const { page, problems } = await openPage(context, pathToFileURL(file).href);
    await check(page);
    assert.deepEqual(problems, []);
    // Escaping alone keeps it inert: the same page without its Content-Security-Policy.
    const bare = await context.newPage();
    await bare.setContent(text.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));
    await check(bare);
  } finally {
    await context.close();
  }
});

test('browser: the drawings need no JavaScript, and the page prints', async () => {
  const url = pageOf('static.html', failingReport());
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    const { page, problems } = await openPage(context, url);
    const bars = page.locator('svg.tl g.call rect');
    assert.ok((await bars.count()) >= 5);
    const box = await bars.first().boundingBox();
    assert.ok(box.width > 0 && box.height > 0);
    assert.ok(await page.locator('.chart svg polyline.measured').isVisible());
    // Without the script the copy buttons stay hidden; the command is still there to select.
    assert.equal(await page.locator('button.copy').first().isVisible(), false);
    assert.ok(await page.locator('#a0-replay').isVisible());
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('nav').isVisible(), false);
    assert.ok(await page.locator('svg.tl').first().isVisible());
    const pdf = await page.pdf({ format: 'A4' });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('browser: hovering a schedule step lights its call’s bar; j steps through findings; copy copies the replay', async () => {
  const url = pageOf('script.html', failingReport());
  const context = await browser.newContext();
  try {
    const { page, problems } = await openPage(context, url);
    const bar = page.locator('.schedule g.call[data-k="w0c2"]');
    assert.equal(await bar.getAttribute('class'), 'call ok marked');
    await page.locator('.schedule tr[data-k="w0c2"]').hover();
    assert.match(await bar.getAttribute('class'), /\bhi\b/);
    await page.mouse.move(0, 0);
    assert.doesNotMatch(await bar.getAttribute('class'), /\bhi\b/);
    await page.keyboard.press('j');
    assert.match(await page.locator('li.finding').first().getAttribute('class'), /\bcurrent\b/);
    const button = page.locator('button.copy[data-copy="a0-replay"]');
    assert.ok(await button.isVisible());
    await button.click();
    await page.waitForFunction(() => document.querySelector('button.copy[data-copy="a0-replay"]').textContent !== 'copy');
    // file:// is no secure context everywhere: the script then selects the command for Ctrl+C.
    const got = await page.evaluate(async () =>
      window.isSecureContext && navigator.clipboard ? navigator.clipboard.readText().catch(() => getSelection().toString()) : getSelection().toString(),
    );
    assert.equal(got, await page.locator('#a0-replay').textContent());
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
