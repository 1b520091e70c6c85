/**
 * `npm run drill -- <name>` (or `--list`): runs one failure drill against the running stack
 * (`npm run stack`) and prints the thread from the page to the line of code, as a person on
 * call would follow it: alert → its series → an exemplar's trace id → the trace's failing
 * (or slow) span → that request's log lines → the code location → the source line. Then it
 * clears the fault and waits for the alert to resolve. It exits non-zero when the thread does
 * not lead to the drill's service and line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { adminToken } from '../faults/admin-access.ts';
import { shippedFor } from './classroom-rules.ts';
import { DRILLS, drillNamed, isSaturation, type Drill } from './drills.ts';
import { startTraffic, type Traffic } from './traffic.ts';
import {
  alertingSeries,
  codeOfErrorLog,
  codeOfSlowSpan,
  culprit,
  exemplar,
  firingAlert,
  logsOf,
  ruleState,
  codeOfFault,
  followSaturation,
  switchOff,
  switchOn,
  trace,
  until,
  type Alert,
  type CodeLine,
  type RuleState,
  type SaturationThread,
  type Exemplar,
  type Span,
  type TraceLogs,
} from './thread.ts';

export interface DrillResult {
  /** Which rules paged: as shipped, or classroom mode's shortened `for:`. */
  rules: 'shipped' | 'classroom';
  /** The `for:` of the drill's alert as Prometheus had it loaded, in seconds. */
  forSeconds: number;
  alertSeconds: number;
  resolveSeconds: number;
  series: string;
  /** Error and latency drills: the request the thread followed. */
  exemplar?: Exemplar;
  span?: Span;
  /** Saturation drills: the gauge, the change and its audit line instead. */
  saturation?: SaturationThread;
  logServices: string[];
  logSource: TraceLogs['source'];
  code: CodeLine;
}

/**
 * Beyond a rule's window and `for:`: a scrape (15 s) and an evaluation (15 s) before the
 * condition is seen, one more evaluation to fire, Alertmanager's group wait (30 s), and the
 * first points a rate needs. A drill that is still waiting after all that says what it saw.
 */
const SLACK_SECONDS = 120;

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function labelsOf(drill: Drill): string {
  const labels = Object.entries(drill.alert.labels).map(([k, v]) => `${k}="${v}"`);
  return `${drill.alert.name}{${labels.join(', ')}}`;
}

/** Which rules Prometheus evaluates, told apart by the alert's loaded `for:`. */
function rulesMode(drill: Drill, rule: RuleState): DrillResult['rules'] {
  const shipped = shippedFor().get(drill.alert.name);
  return shipped !== undefined && rule.forSeconds < shipped ? 'classroom' : 'shipped';
}

function describe(rule: RuleState): string {
  const since = rule.activeAt ? (Date.now() - rule.activeAt.getTime()) / 1000 : 0;
  switch (rule.state) {
    case 'inactive':
      return `not yet: its condition does not hold (it looks back up to ${clock(rule.windowSeconds)})`;
    case 'pending':
      return `pending for ${clock(since)} of its for: ${clock(rule.forSeconds)}`;
    case 'firing':
      return 'firing in Prometheus, on its way to Alertmanager';
  }
}

/**
 * Waits until Alertmanager has the drill's alert, as long as the rule needs (its window, its
 * `for:`, and the slack above), saying every change of state and, every 30 s, how long it
 * may still take.
 */
async function awaitAlert(
  drill: Drill,
  rule: RuleState,
  started: number,
  say: (line: string) => void,
): Promise<Alert> {
  const budget = rule.windowSeconds + rule.forSeconds + SLACK_SECONDS;
  const deadline = started + budget * 1000;
  let last: RuleState = rule;
  let lastState: string | undefined;
  let lastSaid = 0;
  for (;;) {
    const alert = await firingAlert(drill).catch(() => undefined);
    if (alert) return alert;
    last = (await ruleState(drill).catch(() => undefined)) ?? last;
    if (last.state !== lastState || Date.now() - lastSaid >= 30_000) {
      const left = (deadline - Date.now()) / 1000;
      say(`   ${labelsOf(drill)}: ${describe(last)}; at most ${clock(left)} to go`);
      lastState = last.state;
      lastSaid = Date.now();
    }
    if (Date.now() > deadline)
      fail(
        `${labelsOf(drill)} did not reach Alertmanager in ${clock(budget)} (its window ` +
          `${clock(rule.windowSeconds)} + for: ${clock(rule.forSeconds)} + ${SLACK_SECONDS} s); ` +
          `last seen: ${describe(last)}${last.value ? `, value ${last.value}` : ''}; ` +
          `rule: ${last.query.replace(/\s+/g, ' ').trim()}`,
      );
    await sleep(2000);
  }
}

function answers(traffic: Traffic): string {
  return [...traffic.answers]
    .map(([status, count]) => `${count}× ${status || 'no answer'}`)
    .join(', ');
}

function fail(message: string): never {
  throw new Error(message);
}

/** What a drill's thread found after the alert: the evidence and the line of code. */
type Thread = Pick<
  DrillResult,
  'exemplar' | 'span' | 'saturation' | 'logServices' | 'logSource' | 'code'
>;

/**
 * A request to blame (error and latency drills): an exemplar on the alert's histogram → its
 * trace in Jaeger → the failing or slowest span → the trace's log lines → the code.
 */
async function followRequest(
  drill: Drill,
  started: number,
  say: (line: string) => void,
): Promise<Thread> {
  const example = await until('an exemplar', () => exemplar(drill, started), 60_000);
  say(
    `   an exemplar on ${drill.exemplars.metric}{${drill.exemplars.selector}}: trace ${example.traceId} (${example.seconds.toFixed(3)} s)`,
  );

  const span = await until(
    `trace ${example.traceId} in Jaeger with a span of ${drill.service} to blame`,
    async () => {
      const spans = await trace(example.traceId);
      return spans && culprit(drill, spans);
    },
    60_000,
  );
  const what =
    drill.exemplars.pick === 'error' ? 'ERROR span' : 'span with the most time of its own';
  say(
    `3. the trace in Jaeger: ${what} is ${span.service} "${span.name}" (${(span.ownMicros / 1000).toFixed(0)} ms of its own)`,
  );
  if (span.service !== drill.service)
    fail(`the trace leads to ${span.service}, not ${drill.service}`);

  const logs = await until(
    `log lines of ${drill.service} for trace ${example.traceId}`,
    async () => {
      const found = await logsOf(example.traceId);
      const own = found.lines.filter((l) => l.service === drill.service);
      const needError = drill.exemplars.pick === 'error';
      const complete = own.length > 0 && (!needError || codeOfErrorLog(drill, found.lines));
      return complete ? found : undefined;
    },
    30_000,
  );
  const lines = logs.lines;
  say(`4. the trace's log lines, from ${logs.how}:`);
  for (const line of lines)
    say(`   ${line.service.padEnd(16)} ${line.level.padEnd(5)} ${line.msg}`);

  const code =
    drill.exemplars.pick === 'error' ? codeOfErrorLog(drill, lines) : codeOfSlowSpan(drill, span);
  if (!code) fail(`the thread found no code location in ${drill.service}`);
  return {
    exemplar: example,
    span,
    code,
    logServices: [...new Set(lines.map((l) => l.service))],
    logSource: logs.source,
  };
}

/**
 * No request to blame (saturation drills): the gauge before and now → what changed in the
 * service (fault_active) → the change's audit line → the code that reads the fault.
 */
async function followGauge(
  drill: Drill,
  started: number,
  say: (line: string) => void,
): Promise<Thread> {
  const saturation = await followSaturation(drill, started, say);
  const code = codeOfFault(drill, saturation.change);
  if (!code) fail(`no line of ${drill.service} reads ${saturation.change.fault}`);
  return {
    saturation,
    code,
    logServices: [saturation.audit.line.service],
    logSource: saturation.audit.source,
  };
}

export async function runDrill(
  drill: Drill,
  {
    say = console.log,
    awaitResolution = true,
  }: { say?: (line: string) => void; awaitResolution?: boolean } = {},
): Promise<DrillResult> {
  const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
  say(`Drill ${drill.name}: ${drill.story}`);
  const rule = await ruleState(drill);
  const rules = rulesMode(drill, rule);
  say(
    rules === 'classroom'
      ? `   rules: classroom mode, ${drill.alert.name} for: ${clock(rule.forSeconds)} (shipped: ${clock(shippedFor().get(drill.alert.name) ?? 0)})`
      : `   rules: as shipped, ${drill.alert.name} for: ${clock(rule.forSeconds)} over a ${clock(rule.windowSeconds)} window; classroom mode pages sooner (docs/drills/README.md)`,
  );
  // A drill starts from quiet: its alert must not already be active. Good orders bring an
  // earlier run's alert down sooner than waiting for its window to empty.
  if (await firingAlert(drill)) {
    say(
      `   ${drill.alert.name} is still active from an earlier run; customers order until it resolves`,
    );
    await awaitResolved([drill], say);
  }

  say(`0. fault ${drill.fault} ${JSON.stringify(drill.options)} on; customers ordering`);
  await switchOn(drill);
  const started = Date.now();
  const traffic = await startTraffic(drill.concurrency, drill.pauseMs ?? 250);
  let result: DrillResult | undefined;
  try {
    const alert = await awaitAlert(drill, rule, started, say);
    const alertSeconds = seconds(started);
    say(
      `1. paged after ${alertSeconds} s: ${alert.labels.alertname} ${JSON.stringify(alert.labels)}`,
    );
    say(`   ${alert.annotations.summary ?? ''} (runbook: ${alert.annotations.runbook_url ?? '-'})`);

    const series = await alertingSeries(drill);
    say(`2. the alerting series: ${series}`);
    const thread = isSaturation(drill)
      ? await followGauge(drill, started, say)
      : await followRequest(drill, started, say);
    const { code } = thread;
    say(`5. the code, from the ${code.via}: ${code.file}:${code.line}`);
    say(`   ${code.line} | ${code.text}`);
    if (code.file !== drill.code.file)
      fail(`the thread leads to ${code.file}, not ${drill.code.file}`);
    if (!code.text.includes(drill.code.text))
      fail(`line ${code.line} does not hold ${drill.code.text}`);
    result = {
      rules,
      forSeconds: rule.forSeconds,
      alertSeconds,
      resolveSeconds: 0,
      series,
      ...thread,
    };
  } finally {
    await traffic.stop();
    await switchOff(drill);
    say(`   customers' answers while the fault was on: ${answers(traffic)}`);
  }

  if (!awaitResolution) {
    say(`6. fault cleared; not waiting for ${drill.alert.name} to resolve`);
    return result;
  }
  say(`6. fault cleared; customers keep ordering until ${drill.alert.name} resolves`);
  result.resolveSeconds = await awaitResolved([drill], say);
  say(`   resolved ${result.resolveSeconds} s after the fix`);
  return result;
}

/**
 * With the faults cleared, customers keep ordering until none of these drills' alerts is
 * active any more: good requests push the failing (or slow) ones below the alert's threshold
 * within its rate window, or the window moves past them. Returns the seconds it took.
 */
export async function awaitResolved(
  drills: Drill[],
  say: (line: string) => void = console.log,
): Promise<number> {
  const cleared = Date.now();
  // Once the failing (or slow) requests have left the rule's window, or are under its threshold.
  const windows = await Promise.all(drills.map(async (d) => (await ruleState(d)).windowSeconds));
  const within = (Math.max(...windows) + SLACK_SECONDS) * 1000;
  const traffic = await startTraffic(8);
  try {
    await until(
      `${[...new Set(drills.map((d) => d.alert.name))].join(', ')} to resolve`,
      async () => {
        for (const drill of drills) if (await firingAlert(drill)) return undefined;
        return true;
      },
      within,
    );
  } finally {
    await traffic.stop();
  }
  say(`   customers' answers after the fix: ${answers(traffic)}`);
  return Math.round((Date.now() - cleared) / 1000);
}

const USAGE = `usage: npm run drill -- <name> [--no-resolve] [--json] | --list

  --no-resolve  clear the fault at the end, but do not wait for the alert to resolve
  --json        print the thread as one JSON line at the end
  LOKI_URL      where Loki answers (default http://127.0.0.1:LOKI_PORT); without one, the
                trace's logs come from the native stack's log files`;

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((arg) => arg.startsWith('--')));
  const names = argv.filter((arg) => !arg.startsWith('--'));
  const unknown = [...flags].filter((f) => !['--list', '--no-resolve', '--json'].includes(f));
  if (unknown.length > 0 || (!flags.has('--list') && names.length !== 1)) {
    console.error(unknown.length > 0 ? `unknown option ${unknown.join(', ')}\n` : '');
    console.error(USAGE);
    return 2;
  }
  if (flags.has('--list')) {
    for (const drill of DRILLS) {
      console.log(
        `${drill.name.padEnd(24)} ${drill.fault.padEnd(22)} → ${drill.alert.name} ${JSON.stringify(drill.alert.labels)}`,
      );
    }
    return 0;
  }
  const drill = drillNamed(names[0] as string);
  if (!drill) {
    console.error(`no drill named ${names[0]}; npm run drill -- --list`);
    return 2;
  }
  try {
    // The token first: a drill that cannot switch its fault must not start waiting on alerts.
    console.log(`admin token: from ${adminToken().from}`);
    const result = await runDrill(drill, { awaitResolution: !flags.has('--no-resolve') });
    console.log(`Drill ${drill.name}: the thread led to ${drill.service}, ${drill.code.file}.`);
    if (flags.has('--json')) console.log(JSON.stringify(result));
    return 0;
  } catch (error) {
    console.error(`Drill ${drill.name} FAILED: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
