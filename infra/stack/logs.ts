/**
 * `npm run stack:logs -- <trace id> [--json]`: one request's log lines from every service
 * of the native stack, in time order. It reads the files the services write
 * (.data/stack/logs/<service>.log), so it works without Loki, which the native stack only
 * runs when you bring your own. With --json it prints the lines as the services wrote them.
 *
 * The same question in Loki (compose, or a Loki of your own):
 *   {service_name=~".+"} | trace_id="<trace id>"
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '../dev/services.ts';
import { LOG_DIR } from './processes.ts';

export interface LogLine {
  time: string;
  service: string;
  level: string;
  msg: string;
  fields: Record<string, unknown>;
  raw: string;
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** Every JSON log line of the stack's services that carries this trace id, oldest first. */
export function linesOfTrace(traceId: string, logDir = LOG_DIR): LogLine[] {
  const lines: LogLine[] = [];
  for (const service of SERVICES) {
    const file = join(logDir, `${service.name}.log`);
    if (!existsSync(file)) continue;
    for (const raw of readFileSync(file, 'utf8').split('\n')) {
      // Cheap test first: most lines belong to other traces.
      if (!raw.includes(traceId)) continue;
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        continue; // not a log line of ours (a stack trace printed by Node, say)
      }
      if (fields.trace_id !== traceId) continue;
      lines.push({
        time: String(fields.time),
        service: text(fields['service.name']) || service.name,
        level: text(fields.level),
        msg: text(fields.msg),
        fields,
        raw,
      });
    }
  }
  return lines.sort((a, b) => a.time.localeCompare(b.time));
}

function main(argv: string[]): number {
  const traceId = argv.find((a) => !a.startsWith('--'));
  if (!traceId || !/^[0-9a-f]{32}$/.test(traceId)) {
    console.error('usage: npm run stack:logs -- <trace id: 32 lowercase hex digits> [--json]');
    return 2;
  }
  const lines = linesOfTrace(traceId);
  if (lines.length === 0) {
    console.error(`no log line in ${LOG_DIR} carries trace_id ${traceId}`);
    return 1;
  }
  for (const line of lines) {
    if (argv.includes('--json')) {
      console.log(line.raw);
      continue;
    }
    const file = text(line.fields['code.filepath']);
    const where = file ? `  (${file}:${text(line.fields['code.lineno'])})` : '';
    console.log(
      `${line.time}  ${line.service.padEnd(16)} ${line.level.padEnd(5)} ${line.msg}${where}`,
    );
  }
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
