import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.ts';
import { type ChildExit, forwardLine, Supervisor } from './supervisor.ts';

/** A node child running `code`. */
const node = (name: string, code: string) => ({ name, command: process.execPath, args: ['-e', code] });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the first line a child prints that matches `pattern`. */
async function lineOf(tail: () => string[], pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const line = tail().find((l) => pattern.test(l));
    if (line !== undefined) return line;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no line matching ${pattern}`);
}

let supervisor: Supervisor | undefined;
afterEach(() => supervisor?.killAll());

describe('the stack supervisor', () => {
  it('reports a child that exits on its own, with its last lines', async () => {
    supervisor = new Supervisor(silentLogger, { tailLines: 2 });
    const exits: [string, ChildExit, string[]][] = [];
    supervisor.onUnexpectedExit((child, exit) => exits.push([child.name, exit, child.tail()]));
    const child = supervisor.start(
      node('crasher', "console.log('one'); console.error('two'); console.error('three'); process.exit(3)"),
    );
    expect(await child.exited).toEqual({ code: 3, signal: null });
    await new Promise((r) => setImmediate(r));
    expect(exits).toHaveLength(1);
    const [name, exit, tail] = exits[0] ?? [];
    expect(name).toBe('crasher');
    expect(exit?.code).toBe(3);
    // Only the last two lines are kept; stdout and stderr interleave as they arrive.
    expect(tail).toHaveLength(2);
    expect(tail).toContain('three');
  });

  it('reports a program that cannot be started', async () => {
    supervisor = new Supervisor(silentLogger);
    const exits: ChildExit[] = [];
    supervisor.onUnexpectedExit((_child, exit) => exits.push(exit));
    const child = supervisor.start({ name: 'nothing', command: '/nonexistent/prometheus', args: [] });
    const exit = await child.exited;
    expect(exit.error?.message).toMatch(/ENOENT/);
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([exit]);
  });

  it('stops children with SIGTERM, and does not count that as a failure', async () => {
    supervisor = new Supervisor(silentLogger);
    let unexpected = 0;
    supervisor.onUnexpectedExit(() => unexpected++);
    const a = supervisor.start(node('a', "console.log('up'); setInterval(() => {}, 1000)"));
    const b = supervisor.start(node('b', "console.log('up'); setInterval(() => {}, 1000)"));
    await lineOf(a.tail, /up/);
    await lineOf(b.tail, /up/);
    await supervisor.stopAll();
    expect((await a.exited).signal).toBe('SIGTERM');
    expect((await b.exited).signal).toBe('SIGTERM');
    expect(unexpected).toBe(0);
  });

  it('kills a child that ignores SIGTERM, and what it started, after the timeout', async () => {
    supervisor = new Supervisor(silentLogger, { stopTimeoutMs: 300 });
    const stubborn = supervisor.start(
      node(
        'stubborn',
        [
          "const { spawn } = require('node:child_process');",
          "const g = spawn(process.execPath, ['-e', 'process.on(\"SIGTERM\", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });",
          "process.on('SIGTERM', () => console.log('ignoring SIGTERM'));",
          "console.log('grandchild ' + g.pid);",
          'setInterval(() => {}, 1000);',
        ].join('\n'),
      ),
    );
    const grandchild = Number((await lineOf(stubborn.tail, /^grandchild \d+$/)).split(' ')[1]);
    expect(alive(grandchild)).toBe(true);
    const started = performance.now();
    await supervisor.stopAll();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect((await stubborn.exited).signal).toBe('SIGKILL');
    expect(stubborn.tail()).toContain('ignoring SIGTERM');
    // Same process group, so SIGKILL reached it too (gone, or a zombie waiting for init to reap it).
    await new Promise((r) => setTimeout(r, 100));
    const state = await readFile(`/proc/${grandchild}/stat`, 'utf8').catch(() => undefined);
    expect(state === undefined || / Z /.test(state)).toBe(true);
  });
});

describe("a child's log line in the stack's log", () => {
  function logged(line: string): Record<string, unknown>[] {
    const records: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'debug', base: null, timestamp: false },
      { write: (s: string) => records.push(JSON.parse(s)) },
    );
    forwardLine(log.child({ child: 'x' }), line);
    return records;
  }

  it("keeps a tierwise child's level, message and fields", () => {
    expect(
      logged('{"level":40,"time":1,"app":"tierwise","collector":"gpu","msg":"nvidia-smi not found"}'),
    ).toEqual([{ level: 40, child: 'x', collector: 'gpu', msg: 'nvidia-smi not found' }]);
  });

  it("takes Prometheus' logfmt level", () => {
    const line = 'ts=2026-01-01T00:00:00Z caller=main.go:1 level=error msg="opening storage failed"';
    expect(logged(line)).toEqual([{ level: 50, child: 'x', msg: line }]);
  });

  it('logs anything else at info, and skips empty lines', () => {
    expect(logged('{not json')).toEqual([{ level: 30, child: 'x', msg: '{not json' }]);
    expect(logged('  ')).toEqual([]);
  });
});
