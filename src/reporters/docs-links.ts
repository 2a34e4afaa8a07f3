// Where the docs explain each finding kind, warning code and note code (one table), so the report's own
// wording can point there as ESLint's messages point to their rules. The pages ship in the package.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FindingKind, WarningCode } from '../schema/report.js';

const FINDINGS_PAGE = 'docs/reference/findings.md';

/** Every finding kind: the compiler refuses a kind without its page. */
export const FINDING_DOCS: Readonly<Record<FindingKind, string>> = {
  'lost-update': `${FINDINGS_PAGE}#lost-update`,
  mismatch: `${FINDINGS_PAGE}#mismatch`,
  invariant: `${FINDINGS_PAGE}#invariant`,
  duplicate: `${FINDINGS_PAGE}#duplicate`,
  linearizability: `${FINDINGS_PAGE}#linearizability`,
  error: `${FINDINGS_PAGE}#error`,
  hang: `${FINDINGS_PAGE}#hang`,
  crash: `${FINDINGS_PAGE}#crash`,
  throughput: `${FINDINGS_PAGE}#throughput`,
  inconclusive: `${FINDINGS_PAGE}#inconclusive`,
};

/** Every warning and note code: the compiler refuses a code without its page. */
export const CODE_DOCS: Readonly<Record<WarningCode, string>> = {
  undeclared: `${FINDINGS_PAGE}#undeclared`,
  'declared-safe-but-raced': `${FINDINGS_PAGE}#declared-safe-but-raced`,
  'no-contention': `${FINDINGS_PAGE}#no-contention`,
  'stats-not-number': `${FINDINGS_PAGE}#stats-not-number`,
  'unchecked-counters': `${FINDINGS_PAGE}#unchecked-counters`,
  'unique-not-comparable': `${FINDINGS_PAGE}#unique-not-comparable`,
  'model-unknown': `${FINDINGS_PAGE}#model-unknown`,
  'schedule-diverged': `${FINDINGS_PAGE}#schedule-diverged`,
  'scheduler-stalled': `${FINDINGS_PAGE}#scheduler-stalled`,
  'few-rounds': `${FINDINGS_PAGE}#few-rounds`,
  'confidence-not-reached': `${FINDINGS_PAGE}#confidence-not-reached`,
  'global-teardown': `${FINDINGS_PAGE}#global-teardown`,
  'concurrent-access': `${FINDINGS_PAGE}#concurrent-access`,
  'rounds-one-at-a-time': `${FINDINGS_PAGE}#rounds-one-at-a-time`,
};

/** This package's root (dist/reporters/ -> ../..), where docs/ is, in a checkout and in node_modules alike. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A docs page as the reader can open it from where they ran the tool: `docs/...` in a checkout, `node_modules/adapter-hammer/docs/...` in a project. */
export function docsPath(page: string, cwd = process.cwd()): string {
  const [file, anchor] = page.split('#');
  const rel = path.relative(cwd, path.join(PACKAGE_ROOT, file!)).split(path.sep).join('/');
  return anchor ? `${rel}#${anchor}` : rel;
}
