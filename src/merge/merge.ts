// `adapter-hammer merge`: shard reports (`--shard k/N --json`) -> one report, as if one run had played
// every shard's rounds. Pure: parsed JSON in, a report out (or a MergeError naming the problem). The
// shards are checked to be parts of one run first: same tool version, seed, adapters and settings,
// one count N, no shard twice. Missing shards are not an error here: the merged run fails, saying which
// (checks/shards.ts). Every status and verdict is decided by checks/, as for a run.
import { aboutConcurrency, findingSubject, judgeMulti, judgeRun } from '../checks/run.js';
import { confidenceNotReached } from '../checks/confidence.js';
import { missingShardsFinding } from '../checks/shards.js';
import { summariseRoundFindings } from '../checks/race.js';
import { modelUnknownWarning } from '../checks/model.js';
import { judgeStrategy, type StrategyEvidence } from '../checks/strategy.js';
import { UsageError } from '../errors.js';
import { RUN_OPTIONS, type Shard } from '../options/table.js';
import type { RunPlan } from '../plan/plan.js';
import { replayCommand } from '../plan/replay.js';
import { adaptersOfShard, shardText, WHOLE } from '../plan/shard.js';
import {
  isStartFailure,
  uniqueFacts,
  type FindingFacts,
  type HammerReport,
  type MultiReport,
  type MultiRunReport,
  type RaceReport,
  type Report,
  type RunReport,
  type StartFailure,
  type StrategyReport,
  type ThroughputReport,
  type WarningFacts,
} from '../schema/report.js';
import { contentionOf, mergeHammer, mergeRace, mergeThroughput, type Part } from './strategies.js';

/** Reports that are not parts of one run: exit 2, one line. */
export class MergeError extends UsageError {}

export interface ShardFile {
  /** The file name, as shown in messages. */
  file: string;
  /** Its parsed JSON. */
  json: unknown;
}

/** One shard's report file, normalised. */
interface Job {
  file: string;
  shard: Shard;
  version: string;
  multi: boolean;
  /** Every adapter of the whole run. */
  adapters: string[];
  entries: (RunReport | StartFailure)[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function jobOf({ file, json }: ShardFile): Job {
  const bad = (why: string): MergeError => new MergeError(`${file}: ${why}`);
  if (!isObject(json) || !isObject(json.tool) || typeof json.tool.version !== 'string') throw bad('not a JSON report of adapter-hammer (--json)');
  if (json.merged !== undefined) throw bad('is a merged report already: merge the shards’ own reports');
  const version = json.tool.version;
  if (Array.isArray(json.adapters)) {
    const multi = json as unknown as MultiReport;
    const shard = multi.shard ?? { ...WHOLE, adapters: multi.adapters.map((a) => a.adapter) };
    for (const e of multi.adapters) if (!isStartFailure(e)) checkReport(e, bad);
    return { file, shard: { index: shard.index, count: shard.count }, version, multi: true, adapters: shard.adapters, entries: multi.adapters };
  }
  const report = json as unknown as Report;
  checkReport(report, bad);
  return { file, shard: report.config.shard ?? WHOLE, version, multi: false, adapters: [report.adapter], entries: [report] };
}

function checkReport(r: RunReport, bad: (why: string) => MergeError): void {
  if (typeof r.adapter !== 'string' || typeof r.seed !== 'number' || !isObject(r.config) || !Array.isArray(r.strategies) || !Array.isArray(r.findings)) {
    throw bad('not a JSON report of adapter-hammer (--json): no adapter, seed, config or strategies');
  }
}

/** The settings that must agree between shards: every run option but --shard, and the adapter's args. */
function settingsOf(r: RunReport): Record<string, string> {
  const c = r.config as unknown as Record<string, unknown>;
  const out: Record<string, string> = { args: JSON.stringify(r.config.args ?? {}) };
  for (const o of RUN_OPTIONS) if (o.key !== 'shard' && o.key !== 'seed') out[`--${o.long}`] = JSON.stringify(c[o.key] ?? null);
  return out;
}

/** Refuse reports that are not shards of one run (exit 2). */
function checkJobs(jobs: Job[]): void {
  const [a] = jobs;
  if (!a) throw new MergeError('give the shard reports to merge (files written by --shard k/N --json)');
  const differ = (what: string, x: string, fx: string, y: string, fy: string): MergeError =>
    new MergeError(`reports from different ${what}: ${x} (${fx}) and ${y} (${fy}); only shards of one run add up`);
  const reports = jobs.flatMap((j) => j.entries.filter((e): e is RunReport => !isStartFailure(e)).map((r) => ({ r, file: j.file })));
  for (const j of jobs) {
    if (j.version !== a.version) throw differ('tool versions', a.version, a.file, j.version, j.file);
    if (j.multi !== a.multi || j.adapters.join('\n') !== a.adapters.join('\n'))
      throw differ('adapters', a.adapters.join(', '), a.file, j.adapters.join(', '), j.file);
    if (j.shard.count !== a.shard.count) throw differ('shard counts', shardText(a.shard), a.file, shardText(j.shard), j.file);
    const twin = jobs.find((o) => o !== j && o.shard.index === j.shard.index);
    if (twin) throw new MergeError(`shard ${shardText(j.shard)} is given twice: ${twin.file} and ${j.file} (overlapping shards would count rounds twice)`);
  }
  const [r0] = reports;
  for (const { r, file } of reports) {
    if (r.seed !== r0!.r.seed) throw differ('seeds', String(r0!.r.seed), r0!.file, String(r.seed), file);
    const mine = settingsOf(r);
    const theirs = settingsOf(r0!.r);
    const key = Object.keys(mine).find((k) => mine[k] !== theirs[k]);
    if (key) throw differ('settings', `${key} ${theirs[key]}`, r0!.file, `${key} ${mine[key]}`, file);
  }
}

/** A shard missing from the merge, and the rounds it would have played of an adapter (null: all of them). */
type MissingShard = { shard: string; rounds: Shard | null };

/** A shard's warning as data: its fields (the sentence it carried is written again from them). */
function warningFacts(w: WarningFacts): WarningFacts {
  const { message: _, ...facts } = w as WarningFacts & { message?: string };
  return facts;
}

/**
 * The shards' warnings and notes, merged by their fields: each once; the contention ones (hammer, race)
 * judged again from the merged contention, where the shards' own said what one shard saw; model-unknown
 * again from the merged model checks; declared-safe-but-raced again by the merged run's judgement.
 */
function mergeWarnings(parts: Part[], strategies: StrategyReport[], ops: string[]): { warnings: WarningFacts[]; info: WarningFacts[] } {
  const again = (w: WarningFacts): boolean =>
    w.code === 'declared-safe-but-raced' ||
    w.code === 'model-unknown' ||
    // --confidence is decided again for the whole run: a shard's warning said only that its share fell short.
    w.code === 'confidence-not-reached' ||
    ((w.code === 'no-contention' || w.code === 'concurrent-access') && (w.strategy === 'hammer' || w.strategy === 'race'));
  const all = parts.flatMap((p) => p.report.warnings).map(warningFacts);
  const warnings = all.filter((w) => !again(w));
  const info = parts
    .flatMap((p) => p.report.info)
    .map(warningFacts)
    .filter((w) => !again(w));
  for (const s of strategies) {
    if (s.name !== 'throughput' && s.model && s.model.unknownRounds > 0)
      warnings.push(modelUnknownWarning(s.name, s.model.unknownRounds, s.model.checkedRounds, s.model.unknownReason ?? 'out of budget'));
    if (s.name === 'throughput') continue;
    const tracker = contentionOf(ops, [s.contention]);
    const warned = (op: string): boolean => all.some((w) => w.code === 'no-contention' && w.strategy === s.name && w.op === op);
    const called = new Set(ops.filter((op) => s.contention.some((c) => c.op === op && c.maxInFlight > 0) || warned(op)));
    // As a run decides it: no verdict on contention from rounds cut short.
    if (!s.interrupted && s.stopReason !== 'workers-lost') warnings.push(...tracker.warnings(s.name, called));
    info.push(...tracker.info(s.name));
    const short = s.name === 'race' && s.confidence && s.failedRounds === 0 && !s.interrupted ? confidenceNotReached('race', s.confidence) : null;
    if (short) warnings.push(short);
  }
  return { warnings, info };
}

/** A shard's finding as data: its fields and its shard (the sentence it carried is written again from them). */
function tagged(p: Part, f: FindingFacts): FindingFacts {
  const { message: _, ...facts } = f as FindingFacts & { message?: string };
  return { ...facts, shard: p.shard };
}

/** The shards' findings of one strategy, tagged with their shard. */
const findingsOf = (ps: Part[], name: string, keep: (f: FindingFacts) => boolean = () => true): FindingFacts[] =>
  ps.flatMap((p) => p.report.findings.filter((f) => f.strategy === name && keep(f)).map((f) => tagged(p, f)));

/** The shards by the machine that ran them (Node 20 has no Map.groupBy). */
function byMachine(parts: Part[]): Map<string, Part[]> {
  const machines = new Map<string, Part[]>();
  for (const p of parts) {
    const host = p.report.config.env?.hostname ?? 'unknown host';
    machines.set(host, [...(machines.get(host) ?? []), p]);
  }
  return machines;
}

const strategyOf = <S extends StrategyReport>(p: Part, name: S['name']): S | undefined => p.report.strategies.find((s): s is S => s.name === name);

/**
 * The strategies of one adapter's shards, merged, with their findings: the race's rounds added up, hammer and
 * throughput per machine (never averaged across machines); `missing` shards fail the strategy that held their work.
 */
function mergeStrategies(parts: Part[], missing: MissingShard[], ops: string[]): { strategies: StrategyReport[]; findings: FindingFacts[] } {
  const cfg = parts[0]!.report.config;
  const strategies: StrategyReport[] = [];
  const findings: FindingFacts[] = [];
  const interrupted = (ps: Part[], name: string): boolean => ps.some((p) => strategyOf(p, name as StrategyReport['name'])?.interrupted === true);
  const completed = (ps: Part[], name: string): number =>
    ps.some((p) => !p.report.findings.some((f) => f.strategy === name && f.kind === 'inconclusive')) ? 1 : 0;
  const judge = (figures: StrategyEvidence['figures'], ps: Part[], own: FindingFacts[]): void => {
    const c = completed(ps, figures.name);
    const out = judgeStrategy({
      figures,
      findings: own,
      warnings: [],
      info: [],
      interrupted: interrupted(ps, figures.name),
      completedCalls: c,
      completeRounds: c,
    });
    strategies.push(out.report);
    findings.push(...out.findings);
  };
  // Hammer and throughput measure the machine they ran on: one entry per machine, never averaged across machines.
  const machines = byMachine(parts);
  const missingFinding = (name: string): FindingFacts[] => (missing.length ? [missingShardsFinding(name, missing)] : []);
  const carriesMissing = cfg.strategies.includes('race') ? 'race' : cfg.strategies[0];
  for (const name of cfg.strategies) {
    const ran = parts.filter((p) => strategyOf(p, name));
    const extra = name === carriesMissing ? missingFinding(name) : [];
    if (!ran.length) {
      if (extra.length) findings.push(...extra);
      continue;
    }
    if (name === 'race') {
      const race = mergeRace(
        ops,
        ran.map((p) => ({ shard: p.shard, s: strategyOf<RaceReport>(p, 'race')!, replay: p.report.replay })),
      );
      // The same failure found in several shards' rounds is one finding, summed up over the merged rounds as a
      // run sums up its own; what a shard judged of its strategy as a whole (inconclusive, crashed) stays its own.
      const own = findingsOf(ran, 'race');
      const ofRounds = summariseRoundFindings(
        own.filter((f) => f.rounds !== undefined),
        race.rounds,
      );
      judge(race, ran, [...ofRounds, ...own.filter((f) => f.rounds === undefined), ...extra]);
      continue;
    }
    for (const [hostname, ps] of machines) {
      const mine = ps.filter((p) => strategyOf(p, name));
      if (!mine.length) continue;
      const machine = { hostname, shards: mine.map((p) => p.shard) };
      if (name === 'hammer') {
        judge(
          {
            ...mergeHammer(
              ops,
              mine.map((p) => strategyOf<HammerReport>(p, 'hammer')!),
            ),
            machine,
          },
          mine,
          findingsOf(mine, 'hammer'),
        );
      } else {
        const own = findingsOf(mine, 'throughput', (f) => f.kind !== 'throughput');
        const t = mergeThroughput(
          mine.map((p) => strategyOf<ThroughputReport>(p, 'throughput')!),
          mine[0]!.report.config.env.cores,
          cfg.workers,
        );
        // The --min-ops gate is judged again on the machine's added-up points, as the run judges it: not after a failure.
        const gate = !own.length && !interrupted(mine, 'throughput') && t.gate ? [t.gate] : [];
        judge({ ...t.report, machine }, mine, [...own, ...gate]);
      }
      if (extra.length) findings.push(...extra.splice(0));
    }
  }
  return { strategies, findings };
}

/** One adapter's reports from its shards, merged; `missing`: shards that should have played it. */
function mergeAdapter(parts: Part[], missing: MissingShard[], files: string[]): RunReport {
  const first = parts[0]!.report;
  const cfg = first.config;
  const ops = [...new Set(parts.flatMap((p) => p.report.strategies.flatMap((s) => ('contention' in s ? s.contention.map((c) => c.op) : []))))];
  const { strategies, findings } = mergeStrategies(parts, missing, ops);
  const { warnings, info } = mergeWarnings(parts, strategies, ops);
  const stops = parts.map((p) => p.report.exitCode);
  const stopSignal = stops.includes(130) ? 'SIGINT' : stops.includes(143) ? 'SIGTERM' : null;
  // The findings that weigh on the threadSafe claim (checks/run.ts aboutConcurrency), filtered once.
  const concurrent = findings.filter(aboutConcurrency);
  const judged = judgeRun({
    strategies,
    findingKinds: concurrent.map((f) => f.kind),
    findingSubjects: concurrent.map(findingSubject),
    warnings,
    strict: cfg.strict,
    threadSafe: first.threadSafe,
    stopSignal,
  });
  const { shard: _, ...config } = cfg;
  const whole = replayCommand({ ...config, adapter: first.adapter } as unknown as RunPlan);
  return {
    tool: first.tool,
    adapter: first.adapter,
    seed: first.seed,
    verdict: judged.verdict,
    status: judged.status,
    headline: judged.headline,
    strictFailure: judged.strictFailure,
    exitCode: judged.exitCode,
    startedAt: parts.map((p) => p.report.startedAt).sort()[0]!,
    durationMs: Math.max(...parts.map((p) => p.report.durationMs)),
    threadSafe: first.threadSafe,
    config,
    strategies,
    findings,
    warnings: uniqueFacts([...warnings, ...judged.warnings]),
    info: uniqueFacts(info),
    // The earliest failing round's shard replays it soonest; else the whole run, unsharded.
    replay: strategies.find((s): s is RaceReport => s.name === 'race')?.firstFailedReplay ?? whole,
    interrupted: stopSignal !== null,
    merged: { files, shards: parts.map((p) => p.shard), missing: missing.map((m) => m.shard) },
  };
}

/** Merge shard reports into one report (the single-adapter shape, or the several-adapter one, as the shards had). */
export function mergeReports(files: ShardFile[]): RunReport | MultiRunReport {
  const jobs = files.map(jobOf).sort((x, y) => x.shard.index - y.shard.index);
  checkJobs(jobs);
  const { count } = jobs[0]!.shard;
  const { adapters, multi } = jobs[0]!;
  const present = new Set(jobs.map((j) => j.shard.index));
  const all = Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
  const names = jobs.map((j) => j.file);
  const entries: (RunReport | StartFailure)[] = [];
  for (const adapter of adapters) {
    // The shards that play this adapter (plan/shard.ts), and which rounds each plays of it.
    const owners = all.flatMap((s) =>
      adaptersOfShard(adapters, s)
        .filter((a) => a.adapter === adapter)
        .map((a) => ({ shard: s, rounds: a.rounds })),
    );
    const missing = owners.filter((o) => !present.has(o.shard.index)).map((o) => ({ shard: shardText(o.shard), rounds: o.rounds.count > 1 ? o.rounds : null }));
    const found = jobs.flatMap((j) => j.entries.filter((e) => e.adapter === adapter).map((e) => ({ shard: shardText(j.shard), entry: e, file: j.file })));
    for (const o of owners) {
      if (present.has(o.shard.index) && !found.some((f) => f.shard === shardText(o.shard))) {
        throw new MergeError(`${jobs.find((j) => j.shard.index === o.shard.index)!.file}: shard ${shardText(o.shard)} should hold ${adapter} and does not`);
      }
    }
    const notStarted = found.find((f): f is typeof f & { entry: StartFailure } => isStartFailure(f.entry));
    if (notStarted) entries.push(notStarted.entry);
    else if (!found.length) {
      entries.push({
        adapter,
        verdict: 'fail',
        exitCode: 2,
        notStarted: true,
        problems: [`not run: shard ${missing.map((m) => m.shard).join(', ')} missing from the merge`],
        strategies: [],
        findings: [],
        warnings: [],
      });
    } else {
      const parts = found.map((f) => ({ shard: f.shard, report: f.entry as RunReport }));
      entries.push(mergeAdapter(parts, missing, names));
    }
  }
  const missing = all.filter((s) => !present.has(s.index)).map(shardText);
  if (!multi) return entries[0] as RunReport;
  const durationMs = Math.max(...files.map((f) => (isObject(f.json) && typeof f.json.durationMs === 'number' ? f.json.durationMs : 0)));
  return {
    tool: jobs[0]!.entries.find((e): e is RunReport => !isStartFailure(e))?.tool ?? { name: 'adapter-hammer', version: jobs[0]!.version },
    ...judgeMulti(entries),
    durationMs,
    adapters: entries,
    merged: { files: names, shards: jobs.map((j) => shardText(j.shard)), missing },
  };
}
