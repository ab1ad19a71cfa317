#!/usr/bin/env node
/**
 * A stand-in for nvidia-smi that replays the team's real captures (fixtures/nvidia-smi/captures/*.txt,
 * each a full nvidia_gpu_exporter capture of one machine), for tests on machines without an NVIDIA GPU.
 * It answers the way the captured driver would:
 *
 * - `--query-gpu=<fields>` with the "load" section's values, looked up through that driver's own
 *   `--help-query-gpu` names and aliases; a field the driver does not list is refused with nvidia-smi's
 *   message ('Field "x" is not a valid field to query.', exit 2). `--format=csv[,noheader][,nounits]`,
 *   `-lms N`/`--loop-ms=N`/`-l N` repeat the lines every interval, as nvidia-smi does.
 * - `--query-compute-apps=<fields>` with the "load" section's processes; `-L` with the captured list.
 *
 * Environment:
 * - FAKE_NVIDIA_SMI_CAPTURES: capture files, comma-separated; GPU i replays capture i. Two captures make
 *   a two-GPU machine: index and count are set to match, and GPU i's UUID ends in i (the captures' UUIDs
 *   are all masked to zeros).
 * - FAKE_NVIDIA_SMI_SCENARIO, or the content of the file FAKE_NVIDIA_SMI_SCENARIO_FILE when it exists
 *   (so a test can change it while the agent runs):
 *   `replay` (default); `error:<name>` prints fixtures/nvidia-smi/errors/<name>.txt and exits with the
 *   status nvidia-smi gives for it; `hang` prints nothing and never exits; `stall-after:N` streams N ticks
 *   then goes silent without exiting; `exit-after:N[:status]` streams N ticks then exits (default 1).
 *   The last two apply to the long-lived stream only.
 * - FAKE_NVIDIA_SMI_LOG: each start appends "<epoch ms> <pid> <arguments>" to it.
 * - FAKE_NVIDIA_SMI_ENERGY=1: also accept total_energy_consumption, which no captured driver lists,
 *   with a synthetic counter (mJ) that grows with the captured power draw. Only for testing that path.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * nvidia-smi's exit statuses for the captured errors (nvidia-smi(1) "RETURN VALUE"; 18 as reported with
 * the mismatch message in anderskm/gputil#55). The collector reads the text, never the status.
 */
const ERROR_STATUS = {
  'no-devices-were-found': 6,
  'failed-couldnt-communicate-with-driver': 9,
  'nvml-driver-library-version-mismatch_new-format': 18,
  'nvml-driver-library-version-mismatch_old-format': 18,
  'device-handle-unknown-error': 255,
  'device-handle-unknown-error_no-space': 255,
};

const args = process.argv.slice(2);
if (process.env.FAKE_NVIDIA_SMI_LOG) {
  appendFileSync(process.env.FAKE_NVIDIA_SMI_LOG, `${Date.now()} ${process.pid} ${args.join(' ')}\n`);
}

const captures = (process.env.FAKE_NVIDIA_SMI_CAPTURES ?? '').split(',').filter(Boolean);
if (captures.length === 0) fail('FAKE_NVIDIA_SMI_CAPTURES names no capture file', 64);
const scenario = readScenario();
const option = (name) => {
  const inline = args.find((a) => a.startsWith(`${name}=`));
  if (inline) return inline.slice(name.length + 1);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const loopMs = Number(
  option('-lms') ?? option('--loop-ms') ?? Number(option('-l') ?? option('--loop') ?? 0) * 1000,
);
const format = (option('--format') ?? '').split(',');

const machines = captures.map((file, i) => machineOf(file, i, captures.length));
const gpuQuery = option('--query-gpu');
const appsQuery = option('--query-compute-apps');
if (scenario.startsWith('error:')) {
  const name = scenario.slice('error:'.length);
  process.stdout.write(readFileSync(path.join(path.dirname(captures[0]), '../errors', `${name}.txt`)));
  process.exit(ERROR_STATUS[name] ?? 255);
} else if (scenario === 'hang') hang();
else if (gpuQuery !== undefined) streamGpus(gpuQuery.split(','));
else if (appsQuery !== undefined)
  print(
    answer(
      appsQuery.split(','),
      machines.flatMap((m) => m.apps),
      'apps',
    ),
  );
else if (args.includes('-L') || args.includes('--list-gpus')) print(machines.map((m) => m.list).join(''));
else fail(`the stand-in does not replay: nvidia-smi ${args.join(' ')}`, 64);

function readScenario() {
  const file = process.env.FAKE_NVIDIA_SMI_SCENARIO_FILE;
  if (file && existsSync(file)) return readFileSync(file, 'utf8').trim();
  return process.env.FAKE_NVIDIA_SMI_SCENARIO ?? 'replay';
}

/** The sections of one capture file, by title ("capabilities :: list (-L)"). */
function sectionsOf(text) {
  const sections = new Map();
  const parts = text.split(/^#{80}\n# (.+)\n(?:# \$ .*\n)?#{80}\n/m);
  for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1] ?? '');
  return sections;
}

/** Every name a help text lists, mapped to all the names of its field ('"a" or "b"' lines). */
function aliasesOf(help) {
  const aliases = new Map();
  for (const line of help.split('\n')) {
    if (!line.startsWith('"')) continue;
    const names = [...line.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    for (const name of names) aliases.set(name, names);
  }
  return aliases;
}

/** A CSV section with its header: rows of { name → { value, unit } }. */
function tableOf(csv) {
  const [header = '', ...rows] = csv.split('\n').filter((l) => l.trim() !== '');
  const columns = header.split(', ').map((c) => {
    const m = /^(.*?)(?: \[([^\]]+)\])?$/.exec(c);
    return { name: m[1], unit: m[2] };
  });
  return rows.map((row) => {
    const cells = row.split(', ');
    // Only the last column may hold the separator (Windows process paths do not, but be safe).
    if (cells.length > columns.length)
      cells.splice(columns.length - 1, Infinity, cells.slice(columns.length - 1).join(', '));
    return new Map(columns.map((c, i) => [c.name, { value: cells[i] ?? '', unit: c.unit }]));
  });
}

function machineOf(file, index, count) {
  const sections = sectionsOf(readFileSync(file, 'utf8'));
  const section = (title) => {
    const text = sections.get(title);
    if (text === undefined) fail(`${file} has no "${title}" section`, 64);
    return text;
  };
  const uuid = (u) => (index === 0 ? u : `${u.slice(0, -String(index).length)}${index}`);
  const gpu = tableOf(section('load :: query-gpu (csv, what the exporter parses)'))[0];
  gpu.set('index', { value: String(index) });
  gpu.set('count', { value: String(count) });
  const captured = gpu.get('uuid')?.value ?? '';
  gpu.set('uuid', { value: uuid(captured) });
  const apps = tableOf(section('load :: query-compute-apps (per-process)'));
  for (const app of apps) app.set('gpu_uuid', { value: uuid(app.get('gpu_uuid')?.value ?? '') });
  const list = section('capabilities :: list (-L)')
    .replace(/^GPU 0:/m, `GPU ${index}:`)
    .replace(captured, uuid(captured))
    .replace(/\n+$/, '\n');
  return {
    gpu,
    apps,
    list,
    gpuFields: aliasesOf(section('capabilities :: help-query-gpu')),
    appFields: aliasesOf(section('capabilities :: help-query-compute-apps')),
  };
}

/** The CSV nvidia-smi prints for `fields` over `rows`, or its refusal of the first field it does not know. */
function answer(fields, rows, kind) {
  const known = machines[0][kind === 'gpu' ? 'gpuFields' : 'appFields'];
  if (process.env.FAKE_NVIDIA_SMI_ENERGY === '1' && kind === 'gpu') {
    known.set('total_energy_consumption', ['total_energy_consumption']);
  }
  const unknown = fields.find((f) => !known.has(f));
  if (unknown !== undefined) fail(`Field "${unknown}" is not a valid field to query.\n`, 2);
  const withUnits = !format.includes('nounits');
  const cell = (row, field) => {
    const names = known.get(field);
    const found = names.map((n) => row.get(n)).find((c) => c !== undefined);
    // A field the driver lists but the capture did not ask for: nvidia-smi's own word for "no value".
    if (!found) return '[N/A]';
    const { value, unit } = found;
    if (!withUnits && unit && value.endsWith(` ${unit}`)) return value.slice(0, -unit.length - 1);
    return value;
  };
  const lines = rows.map((row) => fields.map((f) => cell(row, f)).join(', '));
  if (!format.includes('noheader')) lines.unshift(fields.join(', '));
  return lines.map((l) => `${l}\n`).join('');
}

function streamGpus(fields) {
  const started = Date.now();
  const tick = () => {
    const rows = machines.map((m) => {
      if (process.env.FAKE_NVIDIA_SMI_ENERGY !== '1') return m.gpu;
      const watts = Number.parseFloat(m.gpu.get('power.draw')?.value ?? '0') || 0;
      const mj = 1_000_000_000 + Math.round(watts * (Date.now() - started));
      return new Map([...m.gpu, ['total_energy_consumption', { value: String(mj) }]]);
    });
    return answer(fields, rows, 'gpu');
  };
  if (!loopMs) {
    print(tick());
    return;
  }
  const limit = /^(stall|exit)-after:(\d+)(?::(\d+))?$/.exec(scenario);
  let ticks = 0;
  const loop = () => {
    if (limit && ticks >= Number(limit[2])) {
      if (limit[1] === 'exit') process.exit(Number(limit[3] ?? 1));
      // Stalled: alive, silent.
      clearInterval(timer);
      hang();
      return;
    }
    ticks++;
    process.stdout.write(tick());
  };
  const timer = setInterval(loop, loopMs);
  loop();
}

function print(text) {
  process.stdout.write(text, () => process.exit(0));
}

/** Stays alive and silent until killed, as an nvidia-smi stuck in the driver does. */
function hang() {
  setInterval(() => {}, 1 << 30);
}

function fail(message, status) {
  process.stdout.write(`${message}\n`);
  process.exit(status);
}
