import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from './fixtures.ts';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-nvidia-smi.mjs');

/** Captures the stand-in can replay (fixtures/nvidia-smi/captures), by short name. */
export const CAPTURES = {
  rtx4080: 'linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt',
  rtx2080: 'linux-x86_64__nvidia-geforce-rtx-2080-super__610.57.04.txt',
  h100: 'linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt',
  h100Mig: 'linux-x86_64__nvidia-h100-mig__590.48.01.txt',
  h200: 'linux-x86_64__nvidia-h200__590.48.01.txt',
  h200Mig: 'linux-x86_64__nvidia-h200-mig__590.48.01.txt',
  windows2080: 'windows-x86_64__nvidia-geforce-rtx-2080-super__610.62.txt',
} as const;

export interface FakeNvidiaSmi {
  /** The stand-in, named nvidia-smi: pass it as agent.gpu.nvidia_smi, or put `dir` first on PATH. */
  bin: string;
  dir: string;
  /** Changes what the next start does (see fake-nvidia-smi.mjs): replay, error:<name>, hang, … */
  setScenario(scenario: string): Promise<void>;
  /** Every start so far: when (epoch ms), its pid and its arguments. */
  starts(): Promise<{ at: number; pid: number; args: string }[]>;
  remove(): Promise<void>;
}

/**
 * Writes an `nvidia-smi` into a fresh directory: a shell wrapper that runs fake-nvidia-smi.mjs with this
 * Node.js and its settings, so each stand-in (a test may run several agents) carries its own captures,
 * scenario and start log without touching the test's environment.
 */
export async function fakeNvidiaSmi(
  opts: { captures?: (keyof typeof CAPTURES)[]; scenario?: string; energy?: boolean } = {},
): Promise<FakeNvidiaSmi> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tierwise-nvidia-smi-'));
  const bin = path.join(dir, 'nvidia-smi');
  const scenarioFile = path.join(dir, 'scenario');
  const log = path.join(dir, 'starts.log');
  const captures = (opts.captures ?? ['rtx4080']).map((c) => fixturePath('nvidia-smi/captures', CAPTURES[c]));
  const env = {
    FAKE_NVIDIA_SMI_CAPTURES: captures.join(','),
    FAKE_NVIDIA_SMI_SCENARIO_FILE: scenarioFile,
    FAKE_NVIDIA_SMI_LOG: log,
    FAKE_NVIDIA_SMI_ENERGY: opts.energy ? '1' : '0',
  };
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  await writeFile(
    bin,
    [
      '#!/bin/sh',
      ...Object.entries(env).map(([k, v]) => `export ${k}=${quote(v)}`),
      `exec ${quote(process.execPath)} ${quote(script)} "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(bin, 0o755);
  const setScenario = (scenario: string) => writeFile(scenarioFile, scenario);
  await setScenario(opts.scenario ?? 'replay');
  return {
    bin,
    dir,
    setScenario,
    starts: async () =>
      (await readFile(log, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [at = '0', pid = '0', ...args] = line.split(' ');
          return { at: Number(at), pid: Number(pid), args: args.join(' ') };
        }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
