import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '../../test/support/fixtures.ts';
import {
  classifyNvidiaSmiFailure,
  decodeClockEventReasons,
  GPU_FIELDS,
  type GpuFieldKey,
  invalidQueryField,
  parseComputeApps,
  parseGpuList,
  parseNvidiaNumber,
  parseQueryGpuCsv,
  parseQueryGpuLine,
} from './nvidia-smi.ts';

const FROM_CAPTURES = 'nvidia-smi/csv/from-captures';
const captured = (name: string) => readFixture(FROM_CAPTURES, name);
const gpuOf = (name: string) => {
  const [gpu, ...rest] = parseQueryGpuCsv(captured(`${name}__load__query-gpu.csv`));
  expect(rest).toEqual([]);
  if (!gpu) throw new Error(`${name}: no GPU line`);
  return gpu;
};
const MIB = 1024 * 1024;

/** A capture file's section, as the nvidia_gpu_exporter capture tool delimits them. */
function section(capture: string, title: string): string {
  const text = readFixture('nvidia-smi/captures', capture);
  const start = text.indexOf(`# ${title}\n`);
  if (start < 0) throw new Error(`${capture}: no section ${title}`);
  const body = text.slice(text.indexOf('#'.repeat(80), start) + 81);
  return body.slice(0, body.indexOf('#'.repeat(80)));
}

/** Every field name (and alias) a `--help-query-gpu` text lists. */
function helpFieldNames(help: string): Set<string> {
  return new Set(
    help
      .split('\n')
      .filter((l) => l.startsWith('"'))
      .flatMap((l) => [...l.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string)),
  );
}

const keysMissingFrom = (names: Set<string>): GpuFieldKey[] =>
  GPU_FIELDS.filter((f) => !f.names.some((n) => names.has(n))).map((f) => f.key);

describe('the --query-gpu field list', () => {
  it('asks the oldest driver in the fixtures only for fields it lists, but four optional ones', () => {
    for (const file of ['help-query-gpu-fields.txt', 'netdata-help-query-gpu.txt']) {
      const missing = keysMissingFrom(helpFieldNames(readFixture('nvidia-smi/help', file)));
      expect(missing, file).toEqual([
        'utilizationEncoder',
        'utilizationDecoder',
        'powerDrawInstant',
        'energy',
      ]);
    }
  });

  it('is accepted whole by every captured driver (590–610) except total_energy_consumption', () => {
    const captures = readdirSync(fixturePath('nvidia-smi/captures'));
    expect(captures.length).toBeGreaterThanOrEqual(9);
    for (const capture of captures) {
      const names = helpFieldNames(section(capture, 'capabilities :: help-query-gpu'));
      expect(keysMissingFrom(names), capture).toEqual(['energy']);
    }
  });

  it('marks only the identity fields required, and puts the product name last', () => {
    const required = GPU_FIELDS.filter((f) => 'required' in f).map((f) => f.key);
    expect(required).toEqual(['index', 'count', 'uuid', 'name']);
    expect(GPU_FIELDS.at(-1)?.key).toBe('name');
  });
});

describe('parseNvidiaNumber', () => {
  it('reads plain numbers and numbers with the csv format units', () => {
    expect(parseNvidiaNumber('84.24')).toBe(84.24);
    expect(parseNvidiaNumber(' 84.24 W')).toBe(84.24);
    expect(parseNvidiaNumber('16376 MiB')).toBe(16376);
    expect(parseNvidiaNumber('7 %')).toBe(7);
    expect(parseNvidiaNumber('2805 MHz')).toBe(2805);
  });

  it.each([
    '[N/A]',
    'N/A',
    '[Not Supported]',
    '[Requested functionality has been deprecated]',
    '[Function Not Found]',
    '[Unknown Error]',
    '[GPU is lost]',
    '',
    'P2',
    'Enabled',
  ])('has no number for %j', (cell) => {
    expect(parseNvidiaNumber(cell)).toBeUndefined();
  });
});

describe('parseQueryGpuCsv on the captures (header with units)', () => {
  it('reads an RTX 4080 SUPER under load in base units', () => {
    const gpu = gpuOf('linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05');
    expect(gpu).toMatchObject({
      index: 0,
      count: 1,
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      name: 'NVIDIA GeForce RTX 4080 SUPER',
      pciBusId: '00000000:01:00.0',
      driverVersion: '595.71.05',
      utilization: { gpu: 0.07, memory: 0.02, encoder: 0.72, decoder: 0 },
      memoryUsedBytes: 1474 * MIB,
      memoryTotalBytes: 16376 * MIB,
      powerWatts: 84.24,
      powerLimitWatts: 320,
      fanRatio: 0,
      clocksHertz: { graphics: 2805e6, sm: 2805e6, memory: 11251e6, video: 2145e6 },
      maxClocksHertz: { graphics: 3165e6, sm: 3165e6, memory: 11501e6 },
      pstate: 2,
      clockEventReasons: { active: 0, supported: 0x1ff },
    });
    // temperature.memory "N/A", ECC and retired pages "[N/A]", no MIG on GeForce: absent, not 0.
    expect(gpu.temperatureCelsius).toEqual({ gpu: 46, memory: undefined });
    expect(gpu.eccErrors.corrected).toEqual({ volatile: undefined, aggregate: undefined });
    expect(gpu.retiredPages).toEqual({ singleBitEcc: undefined, doubleBitEcc: undefined });
    expect(gpu.migEnabled).toBeUndefined();
    expect(gpu.energyJoules).toBeUndefined();
  });

  it('reads an H100 in MIG mode: utilisation is [N/A] there, so absent', () => {
    const gpu = gpuOf('linux-x86_64__nvidia-h100-mig__590.48.01');
    expect(gpu.utilization).toEqual({
      gpu: undefined,
      memory: undefined,
      encoder: undefined,
      decoder: undefined,
    });
    expect(gpu.migEnabled).toBe(true);
    expect(gpu.fanRatio).toBeUndefined();
    expect(gpu.powerWatts).toBe(433.78);
    expect(gpu.temperatureCelsius).toEqual({ gpu: 53, memory: 59 });
    expect(gpu.eccErrors).toEqual({
      corrected: { volatile: 0, aggregate: 0 },
      uncorrected: { volatile: 0, aggregate: 0 },
    });
    expect(gpu.pstate).toBe(0);
  });

  it('reads the H100 and H200 without MIG at full load', () => {
    const h100 = gpuOf('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01');
    expect(h100).toMatchObject({ migEnabled: false, memoryTotalBytes: 81559 * MIB, powerLimitWatts: 700 });
    expect(h100.utilization.gpu).toBe(1);
    const h200 = gpuOf('linux-x86_64__nvidia-h200__590.48.01');
    expect(h200).toMatchObject({ name: 'NVIDIA H200', memoryTotalBytes: 143771 * MIB, powerWatts: 627.4 });
    expect(gpuOf('linux-x86_64__nvidia-h200-mig__590.48.01').utilization.gpu).toBeUndefined();
  });

  it('reads an idle-clocked Windows RTX 2080 SUPER, whose gpu_idle clock event reason is active', () => {
    const gpu = gpuOf('windows-x86_64__nvidia-geforce-rtx-2080-super__591.86');
    expect(gpu.clockEventReasons).toEqual({ active: 1, supported: 0x1ff });
    expect(decodeClockEventReasons(gpu.clockEventReasons ?? { active: 0 }).filter((r) => r.active)).toEqual([
      { reason: 'gpu_idle', active: true },
    ]);
  });

  it('reads every capture into finite numbers, with nothing invented for [N/A]', () => {
    for (const file of readdirSync(fixturePath(FROM_CAPTURES)).filter((f) => f.endsWith('query-gpu.csv'))) {
      const [gpu] = parseQueryGpuCsv(captured(file));
      const numbers = JSON.stringify(gpu).match(/-?\d+(\.\d+)?(e\d+)?(?=[,}])/g) ?? [];
      expect(
        numbers.every((n) => Number.isFinite(Number(n))),
        file,
      ).toBe(true);
      expect(gpu?.memoryTotalBytes, file).toBeGreaterThan(0);
      expect(gpu?.powerWatts, file).toBeGreaterThan(0);
      expect(gpu?.energyJoules, file).toBeUndefined();
    }
  });

  it('reads a two-GPU table, and a Tesla P100 table captured without the index field', () => {
    const two = parseQueryGpuCsv(readFixture('nvidia-smi/csv/query-gpu-2gpus-wddm-rtx2080super.csv'));
    expect(two.map((g) => [g.index, g.name, g.memoryUsedBytes, g.fanRatio])).toEqual([
      [0, 'NVIDIA GeForce RTX 2080 SUPER', 575 * MIB, 0.38],
      [1, 'Some Other GPU', 1234 * MIB, 0.5],
    ]);
    const [p100] = parseQueryGpuCsv(readFixture('nvidia-smi/csv/tesla-p100-query-gpu.csv'));
    expect(p100).toMatchObject({ index: 0, name: 'Tesla P100-PCIE-16GB', pstate: 0, powerWatts: 28.16 });
    expect(p100?.fanRatio).toBeUndefined();
  });

  it('leaves out what old GeForce drivers do not support ([Not Supported], and [N/A] on newer ones)', () => {
    for (const file of ['gtx650_driver410_utilization.gpu_not-supported.csv']) {
      const text = readFixture('nvidia-smi/csv/issues', file);
      // The query was only utilization.gpu: without index, uuid and name it is no GPU line at all.
      expect(parseQueryGpuLine(text.split('\n')[1] ?? '', ['utilizationGpu'])).toBeUndefined();
      expect(parseNvidiaNumber(text.split('\n')[1])).toBeUndefined();
    }
    // memory.free is not a field the agent reads: an unnamed column.
    const keys: (GpuFieldKey | undefined)[] = [
      'memoryTotal',
      undefined,
      'memoryUsed',
      'temperatureGpu',
      'fanSpeed',
      'utilizationGpu',
      'utilizationMemory',
    ];
    for (const file of [
      '2GB-geforce_old-driver_noheader-nounits_not-supported.csv',
      '2GB-geforce_new-driver_noheader-nounits_na.csv',
    ]) {
      // These ask for no identity fields, so add the ones the agent always asks for in front.
      const line = `0, 1, GPU-x, ${readFixture('nvidia-smi/csv/issues', file).trim()}, GeForce`;
      const gpu = parseQueryGpuLine(line, ['index', 'count', 'uuid', ...keys, 'name']);
      expect(gpu, file).toMatchObject({
        memoryTotalBytes: 2004 * MIB,
        memoryUsedBytes: 0,
        fanRatio: undefined,
      });
      expect(gpu?.temperatureCelsius.gpu).toBe(44);
      expect(gpu?.utilization).toMatchObject({ gpu: 0, memory: 0 });
    }
  });
});

describe('parseQueryGpuLine (the stream: noheader, nounits)', () => {
  const keys = ['index', 'count', 'uuid', 'powerDraw', 'powerDrawInstant', 'energy', 'name'] as const;

  it('reads a line in the order the fields were asked for, in joules from the driver’s mJ', () => {
    // total_energy_consumption: no captured driver has it, so this line is written for the test.
    expect(
      parseQueryGpuLine('1, 2, GPU-abc, 84.24, 86.41, 123456789, NVIDIA GeForce RTX 4080 SUPER', keys),
    ).toMatchObject({ index: 1, count: 2, uuid: 'GPU-abc', powerWatts: 84.24, energyJoules: 123456.789 });
  });

  it('falls back to the instant power where the average is [N/A] (Blackwell)', () => {
    expect(parseQueryGpuLine('0, 1, GPU-abc, [N/A], 61.5, [N/A], RTX PRO', keys)).toMatchObject({
      powerWatts: 61.5,
      energyJoules: undefined,
    });
  });

  it('gives a product name holding the separator back to the last column', () => {
    expect(parseQueryGpuLine('0, 1, GPU-abc, 1, 1, 1, Odd, Name', keys)?.name).toBe('Odd, Name');
  });

  it('is no GPU line for error messages, blank lines and short lines', () => {
    for (const file of readdirSync(fixturePath('nvidia-smi/errors'))) {
      for (const line of readFixture('nvidia-smi/errors', file).split('\n')) {
        expect(parseQueryGpuLine(line, keys), file).toBeUndefined();
      }
    }
    expect(parseQueryGpuLine('', keys)).toBeUndefined();
    expect(parseQueryGpuLine('0, 1, GPU-abc', keys)).toBeUndefined();
    expect(parseQueryGpuLine('x, 1, GPU-abc, 1, 1, 1, name', keys)).toBeUndefined();
  });
});

describe('decodeClockEventReasons', () => {
  it('reports every supported reason, active or not, and only those', () => {
    expect(decodeClockEventReasons({ active: 0x44, supported: 0x1ff })).toHaveLength(9);
    expect(decodeClockEventReasons({ active: 0x44, supported: 0x1ff }).filter((r) => r.active)).toEqual([
      { reason: 'sw_power_cap', active: true },
      { reason: 'hw_thermal_slowdown', active: true },
    ]);
    expect(decodeClockEventReasons({ active: 0, supported: 0x5 }).map((r) => r.reason)).toEqual([
      'gpu_idle',
      'sw_power_cap',
    ]);
  });
});

describe('parseComputeApps', () => {
  it('reads the processes of a loaded H100 in MiB as bytes', () => {
    expect(
      parseComputeApps(
        captured('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load__query-compute-apps.csv'),
        true,
      ),
    ).toEqual([
      { gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000', pid: 11327, usedMemoryBytes: 2566 * MIB },
      { gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000', pid: 11328, usedMemoryBytes: 1542 * MIB },
      { gpuUuid: 'GPU-00000000-0000-0000-0000-000000000000', pid: 11345, usedMemoryBytes: 15690 * MIB },
    ]);
  });

  it('keeps Windows (WDDM) processes without a memory figure, which the driver does not give', () => {
    const apps = parseComputeApps(
      captured('windows-x86_64__nvidia-geforce-rtx-2080-super__610.62__load__query-compute-apps.csv'),
      true,
    );
    expect(apps).toHaveLength(21);
    expect(apps.every((a) => a.usedMemoryBytes === undefined)).toBe(true);
  });

  it('reads the noheader form, and nothing from an idle GPU', () => {
    expect(parseComputeApps('GPU-a, 42, 370\nGPU-b, 43, [N/A]\n')).toEqual([
      { gpuUuid: 'GPU-a', pid: 42, usedMemoryBytes: 370 * MIB },
      { gpuUuid: 'GPU-b', pid: 43, usedMemoryBytes: undefined },
    ]);
    expect(parseComputeApps('')).toEqual([]);
    expect(parseComputeApps('No running processes found\n')).toEqual([]);
  });
});

describe('parseGpuList (nvidia-smi -L)', () => {
  it('reads an H200 split into five MIG devices, compute-instance profiles included', () => {
    const [gpu, ...rest] = parseGpuList(
      section('linux-x86_64__nvidia-h200-mig__590.48.01.txt', 'capabilities :: list (-L)'),
    );
    expect(rest).toEqual([]);
    expect(gpu).toMatchObject({
      index: 0,
      name: 'NVIDIA H200',
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
    });
    expect(gpu?.mig.map((m) => [m.device, m.profile])).toEqual([
      [0, '1c.3g.71gb'],
      [1, '2c.3g.71gb'],
      [2, '2g.35gb'],
      [3, '1g.18gb'],
      [4, '1g.18gb'],
    ]);
    expect(gpu?.mig[1]?.uuid).toBe('MIG-00000001-0000-0000-0000-000000000001');
  });

  it('reads a GPU without MIG', () => {
    expect(
      parseGpuList(
        section('linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05.txt', 'capabilities :: list (-L)'),
      ),
    ).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4080 SUPER',
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        mig: [],
      },
    ]);
  });
});

describe('what nvidia-smi says when it cannot work', () => {
  it.each([
    ['no-devices-were-found.txt', 'no devices were found'],
    ['nvml-driver-library-version-mismatch_new-format.txt', 'NVML driver/library version mismatch'],
    ['nvml-driver-library-version-mismatch_old-format.txt', 'NVML driver/library version mismatch'],
    ['failed-couldnt-communicate-with-driver.txt', "couldn't communicate with the NVIDIA driver"],
    ['device-handle-unknown-error.txt', 'unable to determine the device handle: Unknown Error'],
    ['device-handle-unknown-error_no-space.txt', 'unable to determine the device handle: Unknown Error'],
  ])('%s is "%s", the same reason whatever the bus id or version', (file, reason) => {
    expect(classifyNvidiaSmiFailure(readFixture('nvidia-smi/errors', file))).toBe(reason);
  });

  it('names a lost GPU and other NVML failures', () => {
    // The wording NVIDIA's driver prints; no capture of it is in the fixtures.
    expect(
      classifyNvidiaSmiFailure(
        'Unable to determine the device handle for GPU0000:01:00.0: GPU is lost.  Reboot the system to recover this GPU\n',
      ),
    ).toBe('GPU is lost');
    expect(classifyNvidiaSmiFailure('Failed to initialize NVML: Insufficient Permissions\n')).toBe(
      'failed to initialize NVML: Insufficient Permissions',
    );
    expect(classifyNvidiaSmiFailure('0, 1, GPU-abc, name\n')).toBeUndefined();
  });

  it('finds the field a driver refuses, in straight or curly quotes', () => {
    // Wordings from CoHDI/composable-resource-operator#37 (Linux) and influxdata/telegraf#6573 (Windows).
    expect(invalidQueryField('Field "device_minor" is not a valid field to query.\n\n')).toBe('device_minor');
    expect(
      invalidQueryField('Field \u201cencoder.stats.sessionCount\u201d is not a valid field to query.'),
    ).toBe('encoder.stats.sessionCount');
    expect(invalidQueryField('No devices were found')).toBeUndefined();
  });
});
