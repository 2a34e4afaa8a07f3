// The pass's confidence, where a strategy's report states one (issue 23: `confidence` with the effective
// rounds, k95/k99, the PCT bound of controlled rounds, a --confidence target, a failure rate), worded as
// the terminal, JUnit and the GitHub summary word it (reporters/confidence.ts): the claim only for a pass,
// with the machines and the setup it holds for.
import type { Confidence, Status, StrategyReport } from '../../schema/report.js';
import { confidenceSentences } from '../confidence.js';

/** The strategy's `confidence` object, if its report has one. */
export const confidenceOf = (s: StrategyReport): Confidence | null => ('confidence' in s && s.confidence ? s.confidence : null);

/** The confidence as sentences, one per part the report states, for a strategy of `status`. */
export function confidenceText(c: Confidence, status: Status): string {
  return confidenceSentences(c, status)
    .map((l) => `${l.charAt(0).toUpperCase()}${l.slice(1)}.`)
    .join(' ');
}
