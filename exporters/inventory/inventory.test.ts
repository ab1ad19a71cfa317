import { cp } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextFor, procTrees, tempTree } from '../../test/support/fixtures.ts';
import { extractTtar } from '../../test/support/ttar.ts';
import { gatherInventory } from './inventory.ts';

describe('gatherInventory', () => {
  const sysWithBattery = extractTtar('proc-sys/node_exporter__sys.ttar', 'sys', 'class/power_supply');

  it('reads a laptop from its captured /proc and its BAT0: portable, memory and CPUs from the kernel', async () => {
    const inv = await gatherInventory(contextFor({ procfs: procTrees.nodeExporter, sysfs: sysWithBattery }));
    expect(inv.onBattery).toBe(true);
    expect(inv.class).toBe('portable');
    expect(inv.tier).toBe('portable');
    expect(inv.memoryBytes).toBe(3742148 * 1024);
    // The rated 1.90 GHz, not the idle 800 MHz the kernel's cpu MHz line shows.
    expect(inv.maxCpuHertz).toBe(1.9e9);
    expect(inv.logicalCpus).toBe(8);
    expect(inv.model).toMatch(/i7-8650U/);
    expect(inv.speed).toBeUndefined();
  });

  it('counts NVIDIA GPUs from the driver and AMD display devices, not other PCI cards', async () => {
    const procfs = await tempTree('inventory-proc', {
      'driver/nvidia/gpus/0000:01:00.0/information': 'Model: RTX 3090\n',
    });
    await cp(path.join(procTrees.nodeExporter, 'cpuinfo'), path.join(procfs, 'cpuinfo'));
    await cp(path.join(procTrees.nodeExporter, 'meminfo'), path.join(procfs, 'meminfo'));
    const sysfs = await tempTree('inventory-sys', {
      'class/drm/card0/device/vendor': '0x1002\n',
      'class/drm/card0/device/class': '0x030000\n',
      'class/drm/card1/device/vendor': '0x8086\n',
      'class/drm/card1/device/class': '0x030000\n',
      'class/drm/renderD128/device/vendor': '0x1002\n',
    });
    const inv = await gatherInventory(contextFor({ procfs, sysfs }, { tier: 'gpu-box' }));
    expect(inv.gpus).toBe(2);
    expect(inv.maxCpuHertz).toBe(1.9e9);
    expect(inv.class).toBe('modern');
    expect(inv.tier).toBe('gpu-box');
  });
});
