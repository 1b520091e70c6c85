/**
 * Every failure drill, on the real stack, with the same code as `npm run drill`: its alert
 * fires, and the thread from the alert leads through an exemplar, the trace and its logs to
 * the drill's service and source line. The drills run one after another; each but the last
 * waits for its alert to resolve once the fault is cleared (the last one's failures would
 * take the rules' 5 m window to age out). The rules' `for:` are cut to 30 s (global-setup.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DRILLS } from '../../infra/drills/drills.ts';
import { runDrill } from '../../infra/drills/run.ts';

for (const [index, drill] of DRILLS.entries()) {
  const last = index === DRILLS.length - 1;
  test(`drill ${drill.name}: ${drill.fault} pages ${drill.alert.name} and the thread leads to ${drill.code.file}`, async () => {
    const steps: string[] = [];
    const result = await runDrill(drill, {
      say: (line) => steps.push(line),
      awaitResolution: !last,
    }).finally(() => console.log(steps.join('\n')));
    assert.match(result.series, new RegExp(`^ALERTS\\{alertname="${drill.alert.name}"`));
    assert.match(result.exemplar.traceId, /^[0-9a-f]{32}$/);
    assert.equal(result.span.service, drill.service);
    if (drill.exemplars.pick === 'error') assert.ok(result.span.error, 'the span is an ERROR span');
    else assert.ok(result.exemplar.seconds >= 0.5, 'the exemplar is a slow request');
    assert.ok(result.logServices.includes(drill.service), `the trace has ${drill.service} logs`);
    assert.equal(result.code.file, drill.code.file);
    assert.ok(
      result.code.text.includes(drill.code.text),
      `line ${result.code.line}: ${result.code.text}`,
    );
    if (!last)
      assert.ok(result.resolveSeconds > 0, 'the alert resolved after the fault was cleared');
  });
}
