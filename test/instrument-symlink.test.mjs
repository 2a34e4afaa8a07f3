// An adapter reached through a symlinked directory is instrumented like any other: modules load by their
// real path, and before this a symlinked adapter directory got no scheduling point at all, so a race
// that only controlled rounds find passed (found by the docs test, whose sandbox links fixtures/ in).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from './helpers/cli.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'ah-symlink-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a lesson only controlled rounds find fails through a symlinked directory too', async () => {
  symlinkSync(path.join(ROOT, 'fixtures/controlled'), path.join(dir, 'linked'), 'dir');
  const r = await runCli(['linked/ticket-unsafe.mjs', '-s', 'race', '-r', '300', '--json', '-'], {
    cwd: dir,
    timeoutMs: 120_000,
    env: { ADAPTER_HAMMER_SHRINK_MS: '0' },
  });
  assert.equal(r.code, 1, r.stderr);
  const race = JSON.parse(r.stdout).strategies[0];
  assert.ok(race.scheduler.controlledRounds > 0, JSON.stringify(race.scheduler));
  assert.ok(race.scheduler.failedControlledRounds > 0);
});
