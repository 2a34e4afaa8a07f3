// JUnit XML reporter (--junit): testsuites > one testsuite per adapter > one testcase per strategy,
// a <failure> holding the strategy's findings. It renders verdicts, it never computes them.
// Escaping and building are xmlbuilder2's; characters XML 1.0 cannot carry at all are replaced first.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { create as Create } from 'xmlbuilder2';
import { truncate } from '../errors.js';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import {
  entriesOf,
  findingsOf,
  isStartFailure,
  strategyLabel,
  type FindingFacts,
  type MultiRunReport,
  type RunReport,
  type StartFailure,
} from '../schema/report.js';
import { findingMessage, warningMessage } from './sentences.js';
import { confidenceSentences } from './confidence.js';
import { historyText } from './history-table.js';
import { scheduleText } from './schedule-trace.js';

/** Control characters (other than tab, LF, CR), lone surrogates and U+FFFE/FFFF are not XML 1.0 characters. */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content: only characters XML can hold. */
export const xmlText = (s: string): string => s.replace(NOT_XML, '\uFFFD');
/** Attribute value: one line (parsers would turn newlines into spaces anyway), bounded. */
const xmlAttr = (s: string, max = 1000): string => {
  const line = xmlText(s).replace(/[\r\n\t]+/g, ' ');
  return truncate(line, max);
};
/**
 * xmlbuilder2 is required on first use, not imported: with its DOM it is ~130 modules, a quarter of a
 * second of every CLI start, and most runs write no JUnit.
 */
const xml = (): typeof Create => (createRequire(import.meta.url)('xmlbuilder2') as { create: typeof Create }).create;

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

function findingLine(f: FindingFacts): string {
  const where = [f.round !== undefined ? `round ${f.round}` : '', f.op ? `op ${f.op}` : '', f.hook ? `hook ${f.hook}` : ''].filter(Boolean).join(', ');
  return `[${f.kind}]${where ? ` (${where})` : ''} ${findingMessage(f)}`;
}

/** Testcases of one adapter: one per planned strategy, plus one for --strict warnings that failed the run. */
function suiteCounts(r: RunReport): { tests: number; failures: number; skipped: number } {
  const notRun = r.config.strategies.filter((n) => !r.strategies.some((s) => s.name === n)).length;
  const strict = r.strictFailure ? 1 : 0;
  return {
    tests: r.strategies.length + notRun + strict,
    failures: r.strategies.filter((s) => s.status === 'fail').length + strict,
    skipped: r.strategies.filter((s) => s.status === 'partial').length + notRun,
  };
}

/** `page`: the HTML report written beside it (a property, a line of every failure, and an attachment CI servers show). */
function addSuite(root: XMLBuilder, r: RunReport | StartFailure, page?: string): void {
  if (isStartFailure(r)) {
    const suite = root.ele('testsuite', { name: xmlAttr(r.adapter), tests: 1, failures: 0, errors: 1, skipped: 0, time: seconds(0) });
    suite
      .ele('testcase', { name: 'load', classname: xmlAttr(r.adapter), time: seconds(0) })
      .ele('error', { message: xmlAttr(r.problems[0] ?? 'adapter could not start'), type: 'not-started' })
      .txt(xmlText(r.problems.join('\n')));
    return;
  }
  const planned = r.config.strategies;
  const skipped = planned.filter((name) => !r.strategies.some((s) => s.name === name));
  const counts = suiteCounts(r);
  const suite = root.ele('testsuite', {
    name: xmlAttr(r.adapter),
    tests: counts.tests,
    failures: counts.failures,
    errors: 0,
    skipped: counts.skipped,
    time: seconds(r.durationMs),
    timestamp: r.startedAt.replace(/\.\d+Z$/, ''),
  });
  const props = suite.ele('properties');
  props.ele('property', { name: 'seed', value: String(r.seed) });
  props.ele('property', { name: 'verdict', value: r.verdict });
  props.ele('property', { name: 'status', value: r.status });
  props.ele('property', { name: 'threadSafe', value: String(r.threadSafe) });
  props.ele('property', { name: 'replay', value: xmlAttr(r.replay, 4000) });
  if (page) props.ele('property', { name: 'html', value: xmlAttr(page, 4000) });
  for (const s of r.strategies) {
    // file/line (a common JUnit extension CI systems read): the first failing line of the user's code.
    const own = findingsOf(r, s);
    const at = own.find((f) => f.where)?.where;
    const tc = suite.ele('testcase', {
      name: xmlAttr(strategyLabel(s)),
      classname: xmlAttr(r.adapter),
      time: seconds(s.durationMs),
      ...(s.status === 'fail' && at ? { file: xmlAttr(at.file), line: at.line } : {}),
    });
    // A partial strategy did not pass: it is a skipped testcase, never a passing one.
    if (s.status === 'partial') tc.ele('skipped', { message: 'interrupted before it could finish; nothing failed in what ran' });
    // How rare a race a passing race would have caught (its figures: the JSON's `confidence`).
    const confidence = s.name === 'race' && s.confidence ? confidenceSentences(s.confidence, s.status) : [];
    if (s.status !== 'fail') {
      if (confidence.length) tc.ele('system-out').txt(xmlText(confidence.map((l) => `confidence: ${l}`).join('\n')));
      continue;
    }
    const kinds = [...new Set(own.map((f) => f.kind))].join(',') || 'fail';
    const head = own.length ? `${own.length} finding${own.length === 1 ? '' : 's'}: ${findingLine(own[0]!)}` : `${s.name} failed`;
    // Each finding's line, then how it happened (its history table, plain text) where it has one.
    const text = own.flatMap((f) => [findingLine(f), ...(f.history ? [historyText(f.history), ''] : [])]);
    // A race found under the scheduler: its schedule, the replay and the steps around each preemption.
    if (s.name === 'race' && s.schedule) text.push(scheduleText(s.schedule), '');
    text.push(...confidence);
    const seePage = page ? [`HTML report: ${page}`] : [];
    tc.ele('failure', { message: xmlAttr(head), type: kinds }).txt(xmlText([...text, '', `replay: ${r.replay}`, ...seePage].join('\n')));
  }
  for (const name of skipped) {
    suite
      .ele('testcase', { name, classname: xmlAttr(r.adapter), time: seconds(0) })
      .ele('skipped', { message: r.interrupted ? 'interrupted before this strategy ran' : 'not run' });
  }
  if (r.strictFailure) {
    suite
      .ele('testcase', { name: 'warnings (--strict)', classname: xmlAttr(r.adapter), time: seconds(0) })
      .ele('failure', { message: xmlAttr(`${r.warnings.length} warning(s) with --strict: ${warningMessage(r.warnings[0]!)}`), type: 'warning' })
      .txt(xmlText(r.warnings.map((w) => `[${w.code}] ${warningMessage(w)}`).join('\n')));
  }
  // [[ATTACHMENT|file]]: the convention Jenkins' and GitLab's JUnit readers show as a link to the file.
  const attachment = page ? [`HTML report: ${page}`, `[[ATTACHMENT|${path.resolve(page)}]]`] : [];
  const notes = [
    ...r.warnings.map((w) => `warning ${w.code}: ${warningMessage(w)}`),
    ...r.info.map((i) => `info ${i.code}: ${warningMessage(i)}`),
    ...attachment,
  ];
  if (notes.length) suite.ele('system-out').txt(xmlText(notes.join('\n')));
}

/** The JUnit XML document for one report or a multi-adapter run. */
export function toJunit(report: RunReport | MultiRunReport, page?: string): string {
  const entries = entriesOf(report);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  let ms = 0;
  const root = xml()({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'adapter-hammer' });
  for (const r of entries) {
    addSuite(root, r, page);
    if (isStartFailure(r)) {
      tests += 1;
      errors += 1;
      continue;
    }
    const c = suiteCounts(r);
    tests += c.tests;
    failures += c.failures;
    skipped += c.skipped;
    ms += r.durationMs;
  }
  root.att({
    tests: String(tests),
    failures: String(failures),
    errors: String(errors),
    skipped: String(skipped),
    time: seconds('adapters' in report ? report.durationMs : ms),
  });
  return `${root.end({ prettyPrint: true })}\n`;
}
