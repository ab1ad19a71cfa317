import type { AlertingRule, RuleGroup } from './types.ts';

interface AlertSpec {
  expr: string;
  for: string;
  severity: AlertingRule['labels']['severity'];
  summary: string;
  description: string;
}

/** Adds the machine's tier (for routing) where its inventory named one; alerts without it still fire. */
function withTier(expr: string): string {
  return `(
${expr}
)
* on (instance) group_left (tier) topk by (instance) (1, tierwise:node_tier_info)
or on (instance)
(
${expr}
)`;
}

/**
 * A machine not answering, unless the owner declared it may sleep; one on an off-hours schedule carries
 * the schedule's name (`power_schedule`) so Alertmanager mutes it inside that window.
 */
function machineDown(expr: string): string {
  const awake = `(${expr} unless on (instance) tierwise:node_declared_info{may_sleep="true"})`;
  return `${awake}
* on (instance) group_left (power_schedule) tierwise:node_declared_info
or on (instance, job)
${awake}`;
}

/**
 * A collector that worked in the last day and is now down: one that never worked on this machine (no
 * GPU, no RAPL) has nothing to measure and is not news.
 */
function collectorBroke(selector: string): string {
  return `tierwise_collector_up{${selector}} == 0
and on (instance, collector) max by (instance, collector) (max_over_time(tierwise_collector_up{${selector}}[1d])) == 1`;
}

/**
 * A filesystem flag (0/1) that is set now but was clear earlier today: newly broken. A mount that is
 * read-only or unreadable by design has been so all day and never alerts.
 */
function mountFlagTurnedOn(metric: string): string {
  return `${metric} == 1\nand on (instance, device, mountpoint) min_over_time(${metric}[1d]) == 0`;
}

/**
 * Alert rules. `for` durations are set for homelab noise: a Pi rebooting for an update, a scrape lost to
 * Wi-Fi, a nightly backup filling a disk briefly should not page anyone.
 */
export function alertGroups(runbookBase: string): RuleGroup[] {
  const alert = (name: string, spec: AlertSpec): AlertingRule => ({
    alert: name,
    expr: spec.expr,
    for: spec.for,
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: spec.description,
      runbook_url: `${runbookBase}#${name.toLowerCase()}`,
    },
  });
  return [
    {
      name: 'tierwise-availability',
      rules: [
        alert('TierwiseTargetDown', {
          expr: withTier(machineDown('up == 0')),
          for: '5m',
          severity: 'critical',
          summary: '{{ $labels.instance }} ({{ $labels.job }}) is down',
          description:
            'Prometheus has not been able to scrape {{ $labels.job }} on {{ $labels.instance }} for 5 minutes.',
        }),
        alert('TierwiseProbeFailed', {
          expr: withTier(machineDown('tierwise_probe_success == 0')),
          for: '10m',
          severity: 'warning',
          summary: 'SSH probe of {{ $labels.instance }} fails',
          description:
            'The agentless probe has not reached {{ $labels.instance }} for 10 minutes; tierwise_probe_info on the probe says why.',
        }),
        alert('TierwiseCollectorDown', {
          expr: withTier(collectorBroke('collector!="gpu"')),
          for: '15m',
          severity: 'warning',
          summary: 'Collector {{ $labels.collector }} on {{ $labels.instance }} stopped working',
          description:
            'The {{ $labels.collector }} collector worked in the last day and has been down for 15 minutes: {{ $labels.reason }}.',
        }),
        alert('TierwiseGpuCollectorDown', {
          expr: withTier(collectorBroke('collector="gpu"')),
          for: '10m',
          severity: 'warning',
          summary: 'GPU metrics of {{ $labels.instance }} are gone',
          description:
            'The gpu collector worked in the last day and has been down for 10 minutes: {{ $labels.reason }}. GPU power and per-workload VRAM are missing from costs meanwhile.',
        }),
      ],
    },
    {
      name: 'tierwise-storage',
      rules: [
        alert('TierwiseDiskWillFillIn24h', {
          expr: withTier(`node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs"} / node_filesystem_size_bytes < 0.4
and predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs|ramfs"}[6h], 24 * 3600) < 0
and node_filesystem_readonly == 0`),
          for: '1h',
          severity: 'warning',
          summary: '{{ $labels.mountpoint }} on {{ $labels.instance }} will be full within 24 hours',
          description:
            'At the rate of the last 6 hours, {{ $labels.mountpoint }} ({{ $labels.device }}) runs out of space within a day; it is under 40 % free now.',
        }),
        alert('TierwiseFilesystemReadOnly', {
          expr: withTier(mountFlagTurnedOn('node_filesystem_readonly')),
          for: '5m',
          severity: 'critical',
          summary: '{{ $labels.mountpoint }} on {{ $labels.instance }} went read-only',
          description:
            '{{ $labels.mountpoint }} ({{ $labels.device }}) was writable earlier today and is now read-only: the kernel usually does this after I/O errors (SD card or disk failing).',
        }),
        alert('TierwiseFilesystemDeviceError', {
          expr: withTier(mountFlagTurnedOn('node_filesystem_device_error')),
          for: '10m',
          severity: 'warning',
          summary: '{{ $labels.mountpoint }} on {{ $labels.instance }} cannot be read',
          description:
            'statfs on {{ $labels.mountpoint }} ({{ $labels.device }}) fails or hangs (a dead NFS server, a failing disk); it worked earlier today.',
        }),
      ],
    },
    {
      name: 'tierwise-health',
      rules: [
        alert('TierwiseMemoryPressure', {
          expr: withTier('rate(node_pressure_memory_stalled_seconds_total[5m]) > 0.05'),
          for: '15m',
          severity: 'warning',
          summary: '{{ $labels.instance }} is short of memory',
          description:
            'All runnable tasks on {{ $labels.instance }} were stalled waiting for memory {{ $value | humanizePercentage }} of the time (PSI "full") for 15 minutes.',
        }),
        alert('TierwisePiUnderVoltage', {
          expr: withTier(
            'max_over_time(tierwise_rpi_throttle_flag{flag="under_voltage", period="now"}[5m]) == 1',
          ),
          for: '5m',
          severity: 'warning',
          summary: '{{ $labels.instance }} is under-powered',
          description:
            'The Raspberry Pi firmware has reported under-voltage again and again for 5 minutes: the supply or cable is too weak, and SD-card corruption follows.',
        }),
        alert('TierwisePiThrottled', {
          expr: withTier('tierwise_rpi_throttle_flag{flag="throttled", period="now"} == 1'),
          for: '15m',
          severity: 'warning',
          summary: '{{ $labels.instance }} is throttling its CPU',
          description:
            'The Raspberry Pi firmware has been throttling the CPU for 15 minutes (heat or power): work there runs slower than its speed score says.',
        }),
        alert('TierwiseCpuTemperatureHigh', {
          expr: withTier('tierwise:node_cpu_temperature_celsius > 85'),
          for: '10m',
          severity: 'warning',
          summary: 'CPU of {{ $labels.instance }} at {{ $value }} °C',
          description: 'The CPU of {{ $labels.instance }} has been above 85 °C for 10 minutes.',
        }),
        alert('TierwiseGpuTemperatureHigh', {
          expr: withTier('tierwise:gpu_temperature_celsius > 85'),
          for: '10m',
          severity: 'warning',
          summary: 'GPU {{ $labels.uuid }} of {{ $labels.instance }} at {{ $value }} °C',
          description: 'The GPU has been above 85 °C for 10 minutes: check its fans and airflow.',
        }),
        alert('TierwiseGpuMemoryNearFull', {
          expr: withTier('tierwise:gpu_memory_used:ratio > 0.95'),
          for: '15m',
          severity: 'warning',
          summary:
            'GPU {{ $labels.uuid }} of {{ $labels.instance }} has its memory {{ $value | humanizePercentage }} full',
          description:
            'VRAM has been above 95 % for 15 minutes; the next model or job to load there will fail with out-of-memory.',
        }),
      ],
    },
    {
      name: 'tierwise-budget',
      rules: [
        alert('TierwisePowerAboveBudget', {
          expr: withTier(
            'max by (instance) (tierwise:node_power_watts) > on (instance) tierwise:node_power_budget_watts',
          ),
          for: '30m',
          severity: 'warning',
          summary: '{{ $labels.instance }} draws {{ $value | humanize }} W, above its budget',
          description:
            'The machine has drawn more than its declared power budget (machines.<name>.power_budget_watts) for 30 minutes.',
        }),
        alert('TierwiseWeeklyCostAboveBudget', {
          expr: 'sum(avg_over_time(tierwise:node_cost_per_hour[1d])) * 168 > on () tierwise:weekly_cost_budget',
          for: '1h',
          severity: 'info',
          summary: 'The lab is on course to cost {{ printf "%.2f" $value }} this week, above its budget',
          description:
            "At the last day's average cost per hour, this week's energy bill exceeds budgets.weekly_cost; tierwise advise shows what to move or switch off.",
        }),
      ],
    },
  ];
}
