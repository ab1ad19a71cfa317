import { readdir, readFile } from 'node:fs/promises';

/** Every process below `pid`, from /proc/<pid>/task/<tid>/children, parents before their children. */
export async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const visit = async (parent: number) => {
    const tasks = await readdir(`/proc/${parent}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const text = await readFile(`/proc/${parent}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of text.split(/\s+/).filter(Boolean).map(Number)) {
        found.push(child);
        await visit(child);
      }
    }
  };
  await visit(pid);
  return found;
}

export interface ProcessIdentity {
  pid: number;
  /** Clock ticks since boot when it started: with the pid, names one process even if the pid is reused. */
  startTime: string;
  command: string;
}

/** Who `pid` is now, or undefined when no such process runs (gone, or a zombie). */
export async function identify(pid: number): Promise<ProcessIdentity | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;
  // The command (field 2) is in parentheses and may hold spaces; the fields after it are plain.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  if (fields[0] === 'Z') return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return { pid, startTime: fields[19] ?? '', command: cmdline.split('\0').filter(Boolean).join(' ') };
}

/** Whether the very process `who` names still runs. */
export async function stillRunning(who: ProcessIdentity): Promise<boolean> {
  return (await identify(who.pid))?.startTime === who.startTime;
}
