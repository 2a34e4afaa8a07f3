// JSON reporter: the report object with every finding's and warning's sentence written from its fields
// (reportObject: also what hammer() returns), as text (written by cli/output.ts, through
// reporters/report-file.ts).
import {
  isStartFailure,
  type Finding,
  type FindingFacts,
  type MultiReport,
  type MultiRunReport,
  type Report,
  type RunReport,
  type StartFailure,
  type Warning,
  type WarningFacts,
} from '../schema/report.js';
import { findingMessage, warningMessage } from './sentences.js';

/** A finding with its sentence after its kind (the JSON reads strategy, kind, message, then the figures). */
export function findingObject(f: FindingFacts): Finding {
  const { strategy, kind, message: _old, ...rest } = f as FindingFacts & { message?: string };
  return { strategy, kind, message: findingMessage(f), ...rest } as Finding;
}

/** A warning (or a note) with its sentence after its code. */
export function warningObject(w: WarningFacts): Warning {
  const { code, message: _old, ...rest } = w as WarningFacts & { message?: string };
  return { code, message: warningMessage(w), ...rest } as Warning;
}

/** The report as --json writes it and hammer() returns it: the core's report with the sentences written. */
export function reportObject(report: RunReport): Report;
export function reportObject(report: MultiRunReport): MultiReport;
export function reportObject(report: RunReport | MultiRunReport): Report | MultiReport;
export function reportObject(report: RunReport | MultiRunReport): Report | MultiReport {
  if ('adapters' in report) return { ...report, adapters: report.adapters.map((r): Report | StartFailure => (isStartFailure(r) ? r : reportObject(r))) };
  return { ...report, findings: report.findings.map(findingObject), warnings: report.warnings.map(warningObject), info: report.info.map(warningObject) };
}

export function toJson(report: RunReport | MultiRunReport): string {
  return `${JSON.stringify(reportObject(report), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/** @deprecated The one function every report file goes through is writeReportFile (report-file.ts). */
export { writeReportFile as writeFileAtomic } from './report-file.js';
