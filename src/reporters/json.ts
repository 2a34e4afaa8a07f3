// JSON reporter: the report object as text (written by cli/output.ts, through reporters/report-file.ts).
import type { MultiReport, Report } from '../schema/report.js';

export function toJson(report: Report | MultiReport): string {
  return `${JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}

/** @deprecated The one function every report file goes through is writeReportFile (report-file.ts). */
export { writeReportFile as writeFileAtomic } from './report-file.js';
