import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  CLASSROOM_RULES,
  SHIPPED_RULES,
  classroomRules,
  durationSeconds,
} from '../../infra/drills/classroom-rules.ts';

type RuleFile = { groups: { name: string; rules: Record<string, unknown>[] }[] };
const read = (dir: string, file: string) =>
  parse(readFileSync(join(dir, file), 'utf8')) as RuleFile;

describe('classroom mode: prometheus/classroom-rules/', () => {
  test('when prometheus/rules/ changes, then the committed classroom copy is regenerated (npm run rules:classroom)', () => {
    const expected = classroomRules();
    assert.deepEqual(readdirSync(CLASSROOM_RULES).sort(), [...expected.keys()]);
    for (const [file, text] of expected)
      assert.equal(
        readFileSync(join(CLASSROOM_RULES, file), 'utf8'),
        text,
        `${file} is stale: run npm run rules:classroom`,
      );
  });

  test('when a rule is read in classroom mode, then only a for: over a minute differs, and it is 30 s', () => {
    for (const file of readdirSync(SHIPPED_RULES)) {
      const shipped = read(SHIPPED_RULES, file).groups.flatMap((g) => g.rules);
      const classroom = read(CLASSROOM_RULES, file).groups.flatMap((g) => g.rules);
      assert.equal(classroom.length, shipped.length);
      for (const [index, rule] of shipped.entries()) {
        const copy = classroom[index]!;
        const shippedFor = typeof rule.for === 'string' ? durationSeconds(rule.for) : 0;
        assert.deepEqual({ ...copy, for: undefined }, { ...rule, for: undefined });
        if (shippedFor > 60) assert.equal(copy.for, '30s', String(rule.alert));
        else assert.equal(copy.for, rule.for, String(rule.alert ?? rule.record));
      }
    }
  });
});
