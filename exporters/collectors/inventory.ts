import type { Collector } from '../collector.ts';
import type { Inventory, InventoryService } from '../inventory/inventory.ts';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';

export const INVENTORY_DESCRIPTION =
  'machine facts, capability class and CPU speed score (gathered at start)';

/** tierwise_node_info and the capacity gauges; shared with the SSH probe (collector/probe). */
export function inventoryFamilies(inv: Inventory): MetricFamily[] {
  const b = new FamilyBuilder()
    .gauge('tierwise_node_info', 'What this machine is: its tier, capability class and platform.', 1, {
      tier: inv.tier,
      class: inv.class,
      arch: inv.arch,
      model: inv.model,
      os: inv.os,
      kernel: inv.kernel,
      version: inv.version,
    })
    .gauge('tierwise_node_cpu_cores', 'Logical CPUs of this machine.', inv.logicalCpus)
    .gauge('tierwise_node_memory_bytes', 'Memory of this machine (MemTotal).', inv.memoryBytes)
    .gauge('tierwise_node_gpus', 'GPUs of this machine (NVIDIA and AMD discrete).', inv.gpus);
  if (inv.diskBytes !== undefined) {
    b.gauge('tierwise_node_disk_bytes', 'Size of the root filesystem.', inv.diskBytes);
  }
  if (inv.maxCpuHertz !== undefined) {
    b.gauge('tierwise_node_cpu_max_hertz', 'Highest clock the CPU reaches.', inv.maxCpuHertz);
  }
  if (inv.speed) {
    b.gauge(
      'tierwise_node_cpu_speed_score',
      'Single-core CPU speed: millions of benchmark-kernel iterations per second, best of several runs.',
      inv.speed.score,
    ).gauge(
      'tierwise_node_cpu_speed_score_timestamp_seconds',
      'When the CPU speed score was measured.',
      inv.speed.measuredAt.getTime() / 1000,
    );
  }
  return b.build();
}

/** Serves the inventory gathered at start; a scrape only formats it. */
export function createInventoryCollector(service: InventoryService): Collector {
  return {
    async collect() {
      const inv = service.current();
      if (!inv) throw new Error('inventory not gathered yet');
      return inventoryFamilies(inv);
    },
  };
}
