import { Command } from 'commander';
import { silentLogger } from '../common/log.ts';
import { InventoryService } from '../exporters/inventory/inventory.ts';
import { addHostOptions, type HostOptionValues, hostPaths, loadConfigFrom } from './host-options.ts';

interface InventoryFlags extends HostOptionValues {
  json?: boolean;
  speedScore: boolean;
}

export function inventoryCommand(): Command {
  const cmd = new Command('inventory').description(
    'print what this machine is, its class and CPU speed score',
  );
  addHostOptions(cmd)
    .option('--json', 'print JSON instead of a table')
    .option('--no-speed-score', 'skip the CPU micro-benchmark');
  return cmd.action(async (flags: InventoryFlags) => {
    const config = await loadConfigFrom(flags);
    const agent = {
      ...config.agent,
      speed_score: {
        ...config.agent.speed_score,
        enabled: flags.speedScore && config.agent.speed_score.enabled,
      },
    };
    const inv = await new InventoryService({
      paths: hostPaths(flags),
      config: agent,
      log: silentLogger,
    }).refresh();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(inv, null, 2)}\n`);
      return;
    }
    const GiB = 1024 ** 3;
    const rows: [string, string][] = [
      ['hostname', inv.hostname],
      ['tier', inv.tier],
      ['class', inv.class],
      ['model', inv.model],
      ['arch', inv.arch],
      ['os', inv.os],
      ['kernel', inv.kernel],
      ['cpus', String(inv.logicalCpus)],
      ['max clock', inv.maxCpuHertz ? `${(inv.maxCpuHertz / 1e9).toFixed(2)} GHz` : 'unknown'],
      ['memory', `${(inv.memoryBytes / GiB).toFixed(1)} GiB`],
      ['root disk', inv.diskBytes ? `${(inv.diskBytes / GiB).toFixed(1)} GiB` : 'unknown'],
      ['gpus', String(inv.gpus)],
      ['battery', inv.onBattery ? 'yes' : 'no'],
      [
        'speed score',
        inv.speed ? `${inv.speed.score.toFixed(1)} (best of ${inv.speed.runs} runs)` : 'not measured',
      ],
      ['tierwise', inv.version],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  });
}
