/**
 * The services attach an exemplar only where the collector's production sampling profile
 * keeps the trace. The share of ordinary traces is the tail sampler's probabilistic policy,
 * computed alike: the hashes below are what the collector's own code (Go's hash/fnv over the
 * salt and the trace id, processor/tailsamplingprocessor v0.165.0) gives for these ids.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTraceState, TraceFlags, type SpanContext } from '@opentelemetry/api';
import {
  inKeptShare,
  samplingProfile,
  shareThreshold,
  traceIdHash,
  traceKept,
} from '../src/trace-kept.ts';

const span = (traceId: string, traceState?: string): SpanContext => ({
  traceId,
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.SAMPLED,
  ...(traceState ? { traceState: createTraceState(traceState) } : {}),
});

describe('trace kept by the production sampling profile', () => {
  test('when a trace id is hashed, then the hash is the collector’s', () => {
    const collector: [string, bigint][] = [
      ['0af7651916cd43dd8448eb211c80319c', 3728843964641534796n],
      ['4bf92f3577b34da6a3ce929d0e0e4736', 11908981664384643253n],
      ['00000000000000000000000000000001', 16254957729900898954n],
      ['ffffffffffffffffffffffffffffffff', 1711019809656077869n],
    ];
    for (const [traceId, hash] of collector) assert.equal(traceIdHash(traceId), hash, traceId);
    // The collector's threshold for 10 %.
    assert.equal(shareThreshold(10), 1844674407370955263n);
    assert.equal(inKeptShare('ffffffffffffffffffffffffffffffff', 10), true);
    assert.equal(inKeptShare('0af7651916cd43dd8448eb211c80319c', 10), false);
    assert.equal(inKeptShare('0af7651916cd43dd8448eb211c80319c', 100), true);
    assert.equal(inKeptShare('ffffffffffffffffffffffffffffffff', 0), false);
  });

  test('when many random trace ids are hashed, then the kept share is the setting', () => {
    let kept = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      if (inKeptShare(crypto.getRandomValues(Buffer.alloc(16)).toString('hex'), 10)) kept++;
    }
    assert.ok(Math.abs(kept / n - 0.1) < 0.01, `kept ${kept} of ${n}`);
  });

  test('when the profile keeps everything, then every sampled request gets its exemplar', () => {
    const all = samplingProfile({});
    assert.equal(all.production, false);
    const outcome = {
      spanContext: span('0af7651916cd43dd8448eb211c80319c'),
      failed: false,
      seconds: 0.01,
    };
    assert.equal(traceKept(all, outcome), true);
  });

  test('when the production profile samples, then errors, slow requests, marked traces and the hashed share are kept, and nothing else', () => {
    const production = samplingProfile({
      SIGHTLINE_SAMPLING: 'production',
      SIGHTLINE_SAMPLING_PERCENTAGE: '10',
      SIGHTLINE_LATENCY_OBJECTIVE_SECONDS: '0.5',
    });
    const ordinary = span('0af7651916cd43dd8448eb211c80319c');
    assert.equal(
      traceKept(production, { spanContext: ordinary, failed: false, seconds: 0.01 }),
      false,
    );
    assert.equal(
      traceKept(production, { spanContext: ordinary, failed: true, seconds: 0.01 }),
      true,
    );
    assert.equal(
      traceKept(production, { spanContext: ordinary, failed: false, seconds: 0.6 }),
      true,
    );
    const marked = span('0af7651916cd43dd8448eb211c80319c', 'sightline=keep');
    assert.equal(
      traceKept(production, { spanContext: marked, failed: false, seconds: 0.01 }),
      true,
    );
    const hashed = span('ffffffffffffffffffffffffffffffff');
    assert.equal(
      traceKept(production, { spanContext: hashed, failed: false, seconds: 0.01 }),
      true,
    );
  });
});
