/**
 * Every failure drill, on the real stack, run exactly as a trainer runs it:
 * `npm run drill -- <name>` in a process of its own. Its alert fires, and the thread from the
 * alert leads through an exemplar, the trace and its logs to the drill's service and source
 * line. The rules' `for:` are cut to 30 s (global-setup.ts).
 *
 * Drills paging different alerts alternate, so one drill's alert resolves while the next one
 * runs (each drill first waits for its own alert to be quiet); the last test waits until
 * every drill's alert has resolved with the faults cleared. Half the drills read the trace's
 * logs from Loki (the stand-in answering the drills' one LogQL query), the others from the
 * native stack's log files, as they do when no Loki answers.
 *
 * The stack starts in classroom mode (global-setup.ts); last, the walkthrough's drill runs on
 * the shipped rules, switched to with `npm run stack:rules -- shipped`, and waits out their
 * full `for:` as it does for a person who follows docs/walkthrough.md.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { DRILLS, isSaturation, type Drill } from '../../infra/drills/drills.ts';
import { awaitResolved } from '../../infra/drills/run.ts';
import { firingAlert } from '../../infra/drills/thread.ts';
import { ROOT } from '../../infra/stack/pins.ts';
import { runDrill } from './stack.ts';

/** The drills, taking turns between the alerts they page. */
function alternating(drills: Drill[]): Drill[] {
  const byAlert = Map.groupBy(drills, (d) => `${d.alert.name}${JSON.stringify(d.alert.labels)}`);
  const queues = [...byAlert.values()];
  const order: Drill[] = [];
  while (queues.some((q) => q.length > 0))
    for (const queue of queues) {
      const next = queue.shift();
      if (next) order.push(next);
    }
  return order;
}

/** Runs `npm run stack:rules -- <mode>`. */
async function switchRules(mode: 'shipped' | 'classroom'): Promise<void> {
  const child = spawn(process.execPath, ['infra/stack/rules.ts', mode], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 0);
}

const lokiStandIn = process.env.LOKI_STAND_IN_URL;

for (const [index, one] of alternating(DRILLS).entries()) {
  const fromLoki = index % 2 === 0;
  test(`npm run drill -- ${one.name}: ${one.fault} pages ${one.alert.name}, and the thread leads through ${fromLoki ? 'Loki' : 'the log files'} to ${one.code.file}`, async () => {
    assert.ok(lokiStandIn, 'test:stack runs a Loki stand-in (global-setup.ts)');
    // Without LOKI_URL a drill asks the port compose publishes, where nothing answers here.
    const env: NodeJS.ProcessEnv = { ...process.env, LOKI_URL: lokiStandIn };
    if (!fromLoki) delete env.LOKI_URL;
    const result = await runDrill(one.name, env);
    assert.equal(result.rules, 'classroom');
    assert.match(result.series, new RegExp(`^ALERTS\\{alertname="${one.alert.name}"`));
    if (isSaturation(one)) {
      // A gauge has no exemplar: the thread goes from what grew to the fault that went on.
      const { saturation } = result;
      assert.equal(result.exemplar, undefined, 'a saturation alert has no exemplar');
      assert.ok(saturation, 'the saturation thread: growth, the fault that went on, its audit');
      assert.ok(saturation.growth.now > saturation.growth.before, `${saturation.growth.query}`);
      assert.equal(saturation.change.fault, one.fault);
      assert.equal(saturation.audit.line.service, one.service);
    } else {
      assert.ok(result.exemplar && result.span, 'an exemplar, and the span its trace blames');
      assert.match(result.exemplar.traceId, /^[0-9a-f]{32}$/);
      assert.equal(result.span.service, one.service);
      if (one.exemplars.pick === 'error') assert.ok(result.span.error, 'the span is an ERROR span');
      else assert.ok(result.exemplar.seconds >= 0.5, 'the exemplar is a slow request');
    }
    assert.equal(result.logSource, fromLoki ? 'loki' : 'log files');
    assert.ok(result.logServices.includes(one.service), `the trace has ${one.service} logs`);
    assert.equal(result.code.file, one.code.file);
    assert.ok(
      result.code.text.includes(one.code.text),
      `line ${result.code.line}: ${result.code.text}`,
    );
  });
}

test('then, with every fault cleared and customers ordering, every drill alert resolves', async () => {
  const seconds = await awaitResolved(DRILLS);
  console.log(`every drill alert resolved ${seconds} s after the last fault was cleared`);
  for (const one of DRILLS) assert.equal(await firingAlert(one), undefined, one.alert.name);
});

test("npm run drill -- payment-gateway-timeout on the shipped rules: it waits out HighErrorRate's full for: of 5 minutes, then the thread leads to the code", async () => {
  const walkthrough = DRILLS.find((d) => d.name === 'payment-gateway-timeout')!;
  await switchRules('shipped');
  try {
    const result = await runDrill(walkthrough.name, { ...process.env, LOKI_URL: lokiStandIn });
    assert.equal(result.rules, 'shipped');
    assert.equal(result.forSeconds, 300);
    assert.ok(result.alertSeconds >= 300, `paged after ${result.alertSeconds} s`);
    assert.equal(result.span?.service, walkthrough.service);
    assert.equal(result.code.file, walkthrough.code.file);
  } finally {
    await switchRules('classroom');
  }
});
