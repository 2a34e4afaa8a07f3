// The adapter `adapter-hammer init <module>` writes: one operation per exported function (and per method
// of an exported class, on one instance per worker), inputs drawn from ctx.random where the parameters
// say what they take, the hooks that need knowledge of the code left as comments to fill in, and the
// lesson that fits the module's shape. It runs as written: what needs no knowledge of the code (errors,
// hangs, crashes) is checked from the first run.
import path from 'node:path';
import type { ClassShape, FunctionShape, ModuleShape, Param } from './init-source.js';

export interface AdapterSource {
  /** The adapter's text. */
  text: string;
  /** Operation names, in the file's order. */
  operations: string[];
  /** Functions called in init instead of hammered (`reset()`, `clear()`). */
  resets: string[];
  /** One line per lesson the header teaches (for init's own summary). */
  lessons: string[];
}

export interface AdapterTarget {
  /** The module as the adapter imports it (`./counter.js`). */
  specifier: string;
  /** The module's file name as the header shows it. */
  moduleName: string;
  /** The adapter's own file name. */
  adapterName: string;
  /** Write TypeScript (a .mts adapter for a TypeScript module). */
  typescript: boolean;
  /** `import { defineAdapter } from 'adapter-hammer'` resolves beside the module: type the adapter with it. */
  defineAdapter: boolean;
  /** The docs folder as seen from the adapter's directory (`docs`, `node_modules/adapter-hammer/docs`). */
  docs: string;
}

const HELPERS = { pick: 'pick', int: 'int', KEYS: 'KEYS' } as const;

const IDENT = /^[A-Za-z_$][\w$]*$/;
const prop = (key: string): string => (IDENT.test(key) ? key : JSON.stringify(key));
const member = (base: string, keys: string[]): string => keys.reduce((acc, k) => (IDENT.test(k) ? `${acc}.${k}` : `${acc}[${JSON.stringify(k)}]`), base);
const camel = (s: string): string => s.replace(/[^A-Za-z0-9_$]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^(\d)/, '_$1');
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** A JavaScript literal, single-quoted as the rest of the file. */
const lit = (v: string | number | boolean): string => (typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : String(v));

/** The last word of a name (`fromAccountId` -> `id`, `max_retries` -> `retries`), lower case. */
const lastWord = (name: string): string => (name.split(/(?<=[a-z0-9])(?=[A-Z])|_/).pop() ?? name).toLowerCase();

/** What a parameter's name suggests when no type says it. */
const BOOLEAN_NAME = /^(is|has|should|can|allow|enable|force|use|with)([A-Z_]|$)|^(flag|enabled|dry|strict|verbose|overwrite)$/;
const NUMBER_WORDS: ReadonlySet<string> = new Set(
  'amount capacity count qty quantity delta by step steps price cost size len length num number total ms delay timeout limit max min age score level weight times retries n i j k x y index idx offset value balance seconds sum diff increment decrement'.split(
    ' ',
  ),
);
const KEY_WORDS: ReadonlySet<string> = new Set(
  'id key name user account sku item slug email token path url code type kind label tag topic room queue channel owner from to src dest target customer order product client session'.split(
    ' ',
  ),
);
const STARTS_AT_ZERO: ReadonlySet<string> = new Set(['index', 'idx', 'offset', 'i', 'j', 'k']);

interface Value {
  /** JavaScript expression drawing the value from `random`. */
  expr: string;
  /** Its TypeScript type. */
  type: string;
  /** The value is a guess from nothing (no type, no telling name): say so beside it. */
  guessed: boolean;
  uses: (keyof typeof HELPERS)[];
}

function valueOf(p: Param): Value {
  const { hint, name } = p;
  if (hint.choices?.length) {
    const list = hint.choices.map(lit).join(', ');
    return { expr: `pick(random, [${list}] as const)`, type: hint.choices.map(lit).join(' | '), guessed: false, uses: ['pick'] };
  }
  const word = lastWord(name);
  const named = BOOLEAN_NAME.test(name) ? 'boolean' : NUMBER_WORDS.has(word) ? 'number' : KEY_WORDS.has(word) ? 'string' : null;
  const kind = hint.kind !== 'unknown' ? hint.kind : named;
  if (kind === 'boolean') return { expr: 'random() < 0.5', type: 'boolean', guessed: false, uses: [] };
  if (kind === 'string') return { expr: 'pick(random, KEYS)', type: 'string', guessed: false, uses: ['pick', 'KEYS'] };
  // A few small numbers, so that concurrent calls meet on the same values; indexes start at 0.
  const range = STARTS_AT_ZERO.has(word) || word === 'id' ? '0, 3' : '1, 10';
  return { expr: `int(random, ${range})`, type: 'number', guessed: kind === null, uses: ['int'] };
}

/** The parameters a call passes: required ones, and optional ones whose type says what they take. */
function passed(params: Param[]): Param[] {
  const told = (p: Param): boolean => p.hint.kind !== 'unknown' || !!p.fields?.length;
  let last = -1;
  params.forEach((p, i) => {
    if (!p.rest && (!p.optional || told(p))) last = i;
  });
  return params.slice(0, last + 1).filter((p) => !p.rest);
}

interface Call {
  /** `{ input, run }` lines, or a one-line `() => ...` when there is nothing to draw. */
  lines: string[];
  uses: Set<keyof typeof HELPERS>;
}

/** An operation calling `target(args)`: its input drawn from `random`, the history and the model see it. */
function operation(name: string, target: string, params: Param[], ts: boolean): Call {
  const uses = new Set<keyof typeof HELPERS>();
  const args = passed(params);
  if (!args.length) return { lines: [`${prop(name)}: () => ${target}(),`], uses };
  const fields: string[] = [];
  const types: string[] = [];
  const guessed: string[] = [];
  const argNames: string[] = [];
  for (const p of args) {
    const key = p.fields?.length ? (/^arg\d+$/.test(p.name) ? 'options' : p.name) : p.name;
    argNames.push(key);
    if (p.fields?.length) {
      const inner = passed(p.fields).map((f) => ({ f, v: valueOf(f) }));
      inner.forEach(({ v }) => v.uses.forEach((u) => uses.add(u)));
      inner.filter(({ v }) => v.guessed).forEach(({ f }) => guessed.push(`${key}.${f.name}`));
      fields.push(`${key}: { ${inner.map(({ f, v }) => `${prop(f.name)}: ${v.expr}`).join(', ')} }`);
      types.push(`${key}: { ${inner.map(({ f, v }) => `${prop(f.name)}: ${v.type}`).join('; ')} }`);
    } else {
      const v = valueOf(p);
      v.uses.forEach((u) => uses.add(u));
      if (v.guessed) guessed.push(key);
      fields.push(`${key}: ${v.expr}`);
      types.push(`${key}: ${v.type}`);
    }
  }
  const plain = (s: string): string => (ts ? s : s.replace(/\] as const/g, ']'));
  const note = guessed.length ? ` // ${guessed.join(', ')}: a guess (no type says what ${guessed.length > 1 ? 'they take' : 'it takes'})` : '';
  const call = `${target}(${argNames.join(', ')})`;
  // One line while it reads as one (the file is indented 6 deep here), else a field per line.
  const inputLine = `  input: ({ random }) => ({ ${plain(fields.join(', '))} }),`;
  const input = inputLine.length <= 100 ? [inputLine + note] : [`  input: ({ random }) => ({${note}`, ...fields.map((f) => `    ${plain(f)},`), '  }),'];
  const runLine = `  run: ({ ${argNames.join(', ')} }${ts ? `: { ${types.join('; ')} }` : ''}) => ${call},`;
  const run = runLine.length <= 100 || !ts ? [runLine] : [`  run: ({ ${argNames.join(', ')} }: {`, ...types.map((t) => `    ${t};`), `  }) => ${call},`];
  return { lines: [`${prop(name)}: {`, ...input, ...run, `},`], uses };
}

const RESET = /^(reset|clear)\w*$/i;

/** Names the adapter declares, chosen so that no parameter, instance or helper shadows another. */
function bindingNames(shape: ModuleShape, moduleName: string): { module: string; instances: Map<ClassShape, string> } {
  const taken = new Set<string>([...Object.values(HELPERS), 'random', 'input', 'shared', 'calls', 'stats', 'state']);
  const params = (ps: Param[]): string[] => ps.flatMap((p) => [p.name, ...(p.fields?.map((f) => f.name) ?? [])]);
  for (const f of shape.functions) params(f.params).forEach((n) => taken.add(n));
  for (const c of shape.classes) c.methods.forEach((m) => params(m.params).forEach((n) => taken.add(n)));
  const free = (candidates: string[]): string => {
    const name = candidates.find((n) => !taken.has(n)) ?? `${candidates[0]}${taken.size}`;
    taken.add(name);
    return name;
  };
  const base = camel(path.basename(moduleName).replace(/\.[^.]+$/, '')) || 'mod';
  const instances = new Map<ClassShape, string>();
  for (const c of shape.classes) instances.set(c, free([lowerFirst(camel(c.name)), `${lowerFirst(camel(c.name))}Instance`]));
  return { module: free([base, `${base}Module`, 'mod']), instances };
}

function header(target: AdapterTarget, lessons: string[]): string[] {
  return [
    `// ${target.adapterName}: an adapter-hammer adapter for ${target.moduleName}, written by \`adapter-hammer init\`.`,
    `//   run it:  npx adapter-hammer ${target.adapterName}`,
    '//',
    '// As written it checks what needs no knowledge of your code: calls that throw (error), calls that never',
    '// settle (hang), workers that die (crash). What it cannot know is the right result: fill in the',
    '// commented hooks below (counters and `expected`, an `invariant`, `unique` IDs, or a `model`), then',
    `// declare \`threadSafe\`. The tutorial walks through it: ${target.docs}/tutorial.md`,
    '//',
    ...lessons.flatMap((l) => [...wrapComment(l), '//']),
  ].slice(0, -1);
}

/** A lesson as `// ` lines of at most ~100 characters. */
function wrapComment(text: string): string[] {
  const out: string[] = [];
  let line = '//';
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > 104 && line !== '//') {
      out.push(line);
      line = '//';
    }
    line += ` ${word}`;
  }
  out.push(line);
  return out;
}

function lessonsOf(shape: ModuleShape, moduleName: string, ops: FunctionShape[], resets: string[]): string[] {
  const lessons: string[] = [];
  const asyncFns = [
    ...ops.filter((f) => f.async).map((f) => f.name),
    ...shape.classes.flatMap((c) => c.methods.filter((m) => m.async).map((m) => `${c.name}.${m.name}`)),
  ];
  lessons.push(
    `Module state is per worker. Every worker thread imports its own copy of ${moduleName} (and the main thread, where setup, stats, expected and teardown run, one more), so the workers never race on its variables, and the main thread cannot read the workers' copies: count in workerStats (each worker, summed) or keep the state where every thread sees it (a SharedArrayBuffer from setup, a file, a database, a server).${resets.length ? ` The copies live across rounds: init calls ${resets.join(', ')} before each round.` : ' The copies live across rounds: reset them in init, or counters add up round after round.'}`,
  );
  if (asyncFns.length) {
    lessons.push(
      `Async calls interleave: ${asyncFns.slice(0, 4).join(', ')}${asyncFns.length > 4 ? ', ...' : ''} ${asyncFns.length > 1 ? 'are' : 'is'} async, and each worker runs --concurrency lanes (8 by default) whose calls interleave at every await: a read, an await, then a write of shared state loses updates inside one worker, no threads needed. In the race strategy every other round runs under a seeded scheduler that chooses which lane resumes at each await of your code (--scheduler): it finds orders Node's own never produces, and a failing one prints a --schedule value that replays it exactly.`,
    );
  } else if (!shape.classes.length) {
    lessons.push(
      `Synchronous calls of one worker never interleave, so a race here needs state shared between threads (a SharedArrayBuffer, a file, a database, a server). If ${moduleName} keeps its state in module variables only, a pass is the right answer, not a miss.`,
    );
  }
  for (const c of shape.classes) {
    lessons.push(
      `One ${c.name} per worker: init makes a fresh instance before every round. The worker's async lanes share it (between their awaits), the workers never do: to race one instance across threads its state must live in shared memory or outside the process.`,
    );
  }
  return lessons;
}

/** Lines of the commented hooks a user fills in, with what each is for and on which thread it runs. */
function hookComments(opNames: string[], docs: string): string[] {
  const first = opNames[0] ?? 'op';
  const ops = opNames.slice(0, 3).map(prop);
  const idLike = opNames.find((n) => /(id|ids|ticket|token|seq|serial|number)$/i.test(n)) ?? first;
  return [
    '',
    '  // setup({ workers, round, args }): main thread, before every round. What it returns reaches every',
    '  // worker; a SharedArrayBuffer in it is the same memory in every thread (one state for all of them).',
    '  // setup: () => ({ buffer: new SharedArrayBuffer(4) }),',
    '',
    "  // workerStats(): each worker, after the round: counters of that worker's own state, summed across workers.",
    `  // workerStats: () => ({ ${prop(first)}: 0 /* e.g. what ${first} changed in this worker's copy */ }),`,
    '',
    '  // stats(shared): main thread, after every worker finished: counters read from state every thread sees',
    "  // (shared memory, a file, a database, a server; not this module's variables: the main thread has its own copy).",
    '  // stats: (shared) => ({ total: new Int32Array(shared.buffer)[0] }),',
    '',
    `  // expected(calls): what the counters should be; calls = { total, ${ops.map((o) => `${o}: n`).join(', ')} } (calls that returned).`,
    '  // Without it, a counter named like an operation must equal its calls, and `total_requests` the total.',
    `  // expected: (calls) => ({ ${prop(first)}: calls.${IDENT.test(first) ? first : 'total'} }),`,
    '',
    '  // invariant(stats, calls): main thread, a rule that must hold: true, or false / a message when broken.',
    '  // invariant: (stats) => stats.balance >= 0 || `balance went negative: ${stats.balance}`,',
    '',
    '  // unique: operations whose results must all differ within a round (IDs, tickets). An ID counter in',
    '  // module state gives each worker its own sequence: with several workers its IDs collide (-w 1 checks the lanes only).',
    `  // unique: [${lit(idLike)}],`,
    '',
    '  // model: what each call should return, one call at a time; every round is checked against it',
    `  // (linearizability: is there an order of the calls that explains every result?). See ${docs}/guides/models.md.`,
    '  // model: {',
    '  //   init: () => 0,',
    '  //   step: (state, op, input, output) => ({ ok: true /* output === what the model says */, state }),',
    '  // },',
  ];
}

function helperLines(uses: Set<keyof typeof HELPERS>, ts: boolean): string[] {
  if (!uses.size) return [];
  const lines = [
    '',
    '// Inputs come from ctx.random, the seeded PRNG (the same --seed draws the same inputs). A few values each,',
    '// so that concurrent calls meet on the same key: edit them to what your code is really called with.',
  ];
  if (uses.has('KEYS')) lines.push(`const KEYS = ['a', 'b', 'c']${ts ? ' as const' : ''};`);
  if (uses.has('pick')) {
    lines.push(
      ts
        ? 'const pick = <T,>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;'
        : 'const pick = (random, list) => list[Math.floor(random() * list.length)];',
    );
  }
  if (uses.has('int')) {
    lines.push(
      ts
        ? 'const int = (random: () => number, from: number, to: number): number => from + Math.floor(random() * (to - from + 1));'
        : 'const int = (random, from, to) => from + Math.floor(random() * (to - from + 1));',
    );
  }
  return lines;
}

/** The whole adapter text. */
export function renderAdapter(shape: ModuleShape, target: AdapterTarget): AdapterSource {
  const ts = target.typescript;
  const names = bindingNames(shape, target.moduleName);
  const resets = shape.functions.filter((f) => RESET.test(f.name) && passed(f.params).length === 0);
  const ops = shape.functions.filter((f) => !resets.includes(f));
  const used = new Set<string>();
  const opName = (wanted: string, owner?: string): string => {
    let n = wanted === 'default' ? camel(path.basename(target.moduleName).replace(/\.[^.]+$/, '')) || 'call' : wanted;
    if (used.has(n) && owner) n = `${lowerFirst(camel(owner))}${n.charAt(0).toUpperCase()}${n.slice(1)}`;
    for (let i = 2; used.has(n); i++) n = `${wanted}${i}`;
    used.add(n);
    return n;
  };
  const uses = new Set<keyof typeof HELPERS>();
  const opLines: string[] = [];
  const operations: string[] = [];
  const add = (name: string, call: Call): void => {
    operations.push(name);
    call.uses.forEach((u) => uses.add(u));
    opLines.push(...call.lines.map((l) => `    ${l}`));
  };
  for (const f of ops) {
    const name = opName(f.name);
    add(name, operation(name, member(names.module, f.access), f.params, ts));
  }
  for (const c of shape.classes) {
    for (const m of c.methods) {
      const name = opName(m.name, c.name);
      add(name, operation(name, member(names.instances.get(c)!, [m.name]), m.params, ts));
    }
  }
  const lessons = lessonsOf(
    shape,
    target.moduleName,
    ops,
    resets.map((r) => `${r.name}()`),
  );
  const lines = [...header(target, lessons), importLines(shape, target, names.module)];
  for (const c of shape.classes) {
    const inst = names.instances.get(c)!;
    lines.push(`let ${inst}${ts ? `: InstanceType<typeof ${member(names.module, c.access)}>` : ''}; // one per worker, made fresh in init`);
  }
  lines.push(...helperLines(uses, ts), '');
  lines.push(target.defineAdapter ? 'export default defineAdapter({' : 'export default {');
  lines.push('  // threadSafe: true, // your claim, checked by the report (absent: a warning; false: you expect it to fail)', '');
  lines.push(...initLines(shape, names, resets));
  lines.push('  operations: {', ...opLines, '  },', ...hookComments(operations, target.docs));
  lines.push(target.defineAdapter ? '});' : '};', '');
  return { text: lines.join('\n'), operations, resets: resets.map((r) => r.name), lessons };
}

function importLines(shape: ModuleShape, target: AdapterTarget, binding: string): string {
  const typed = target.defineAdapter ? "import { defineAdapter } from 'adapter-hammer';\n" : '';
  // CommonJS: the default import is module.exports, whatever Node's named-export detection makes of it.
  const imp = shape.format === 'cjs' ? `import ${binding} from '${target.specifier}';` : `import * as ${binding} from '${target.specifier}';`;
  return `${typed}${imp}`;
}

function initLines(shape: ModuleShape, names: ReturnType<typeof bindingNames>, resets: FunctionShape[]): string[] {
  const body: string[] = [];
  for (const f of resets) body.push(`${member(names.module, f.access)}();`);
  for (const c of shape.classes) {
    const args = passed(c.ctor).map((p) => {
      const v = valueOf(p);
      // No random in init: a fixed value the user may change (the type's first choice, a key, a number).
      const fixed = p.hint.choices?.length ? JSON.stringify(p.hint.choices[0]) : v.type === 'boolean' ? 'false' : v.type === 'string' ? "'a'" : '10';
      return `${fixed} /* ${p.name}${v.guessed ? ': a guess' : ''} */`;
    });
    body.push(`${names.instances.get(c)} = new ${member(names.module, c.access)}(${args.join(', ')});`);
  }
  const comment = "  // init(shared, { workerId, workers, lanes, round, args }): each worker, before every round's calls.";
  if (!body.length) return [comment, '  // init() {},', ''];
  return [comment, '  init() {', ...body.map((b) => `    ${b}`), '  },', ''];
}
