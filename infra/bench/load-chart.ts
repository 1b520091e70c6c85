/**
 * Draws docs/performance-load.svg from what `npm run bench:load` wrote to
 * .data/bench/load.json: throughput and p99 latency of the catalog and order paths, telemetry
 * off and on, as pairs of bars. `node infra/bench/load-chart.ts [results.json] [out.svg]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../stack/pins.ts';

interface PathFigures {
  requestsPerSecond: number;
  p99: number;
}
interface Results {
  runs: Record<'off' | 'on', { catalog?: PathFigures; order?: PathFigures }>;
}

const OFF_COLOUR = '#8a8f98';
const ON_COLOUR = '#3c78d8';

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** One group of bars: a metric for each path, off and on side by side, scaled to its own maximum. */
function barGroup(
  x: number,
  title: string,
  unit: string,
  bars: { label: string; off: number; on: number }[],
): string {
  const width = 300;
  const height = 160;
  const top = 50;
  const max = Math.max(...bars.flatMap((b) => [b.off, b.on])) * 1.15;
  const slot = width / bars.length;
  const barWidth = 40;
  const parts = [
    `<text x="${x + width / 2}" y="24" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<line x1="${x}" y1="${top + height}" x2="${x + width}" y2="${top + height}" stroke="#444"/>`,
  ];
  bars.forEach((bar, i) => {
    const centre = x + slot * i + slot / 2;
    for (const [offset, value, colour] of [
      [-barWidth - 2, bar.off, OFF_COLOUR],
      [2, bar.on, ON_COLOUR],
    ] as const) {
      const h = (value / max) * height;
      const left = centre + offset;
      parts.push(
        `<rect x="${left}" y="${(top + height - h).toFixed(1)}" width="${barWidth}" height="${h.toFixed(1)}" fill="${colour}"/>`,
        `<text x="${left + barWidth / 2}" y="${(top + height - h - 4).toFixed(1)}" text-anchor="middle" font-size="11">${value.toFixed(0)}</text>`,
      );
    }
    parts.push(
      `<text x="${centre}" y="${top + height + 16}" text-anchor="middle" font-size="12">${escape(bar.label)}</text>`,
    );
  });
  parts.push(
    `<text x="${x + width / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">${escape(unit)}</text>`,
  );
  return parts.join('\n  ');
}

export function chart(results: Results): string {
  const paths = (['catalog', 'order'] as const).filter(
    (path) => results.runs.off[path] && results.runs.on[path],
  );
  const label = { catalog: 'catalog', order: 'order' } as const;
  const bars = (metric: keyof PathFigures) =>
    paths.map((path) => ({
      label: label[path],
      off: results.runs.off[path]![metric],
      on: results.runs.on[path]![metric],
    }));
  const legendY = 262;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="700" height="280" viewBox="0 0 700 280" font-family="sans-serif" font-size="13">
  <title>Telemetry off and on: throughput and p99 latency (npm run bench:load)</title>
  <rect width="700" height="280" fill="#fff"/>
  ${barGroup(30, 'Throughput (higher is better)', 'requests per second', bars('requestsPerSecond'))}
  ${barGroup(370, 'p99 latency (lower is better)', 'milliseconds', bars('p99'))}
  <rect x="240" y="${legendY - 10}" width="12" height="12" fill="${OFF_COLOUR}"/>
  <text x="258" y="${legendY}">telemetry off</text>
  <rect x="370" y="${legendY - 10}" width="12" height="12" fill="${ON_COLOUR}"/>
  <text x="388" y="${legendY}">telemetry on</text>
</svg>
`;
}

if (import.meta.main) {
  const input = process.argv[2] ?? join(ROOT, '.data/bench/load.json');
  const output = process.argv[3] ?? join(ROOT, 'docs/performance-load.svg');
  writeFileSync(output, chart(JSON.parse(readFileSync(input, 'utf8')) as Results));
  console.log(`wrote ${output}`);
}
