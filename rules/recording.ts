import { kubePodWorkload, sources as s } from './sources.ts';
import type { RecordingRule, RuleGroup } from './types.ts';

const rule = (record: string, expr: string, labels?: Record<string, string>): RecordingRule =>
  labels ? { record, expr, labels } : { record, expr };

/** `expr` with a constant label set (PromQL's way: label_replace with an empty source). */
const withLabel = (expr: string, label: string, value: string) =>
  `label_replace(\n${expr},\n"${label}", "${value}", "", "")`;

const WORKLOAD = 'instance, workload, kind, namespace';

/** cAdvisor's container series with the pod's owning workload from kube-state-metrics, as `kind="pod"`. */
const cadvisorByWorkload = (series: string) =>
  withLabel(
    `sum by (${WORKLOAD}) (\n${series}\n* on (namespace, pod) group_left (workload) tierwise:kube_pod_workload_info\n)`,
    'kind',
    'pod',
  );

/**
 * The contract (ARCHITECTURE.md, layer 2): the only series the cost model, dashboards and alerts read.
 * Rules in a group run in order at one timestamp, so later rules build on earlier ones.
 */
export function recordingGroups(): RuleGroup[] {
  return [
    {
      name: 'tierwise-node',
      rules: [
        rule(
          'tierwise:node_cpu_busy_cores:rate5m',
          `sum by (instance) (rate(${s.cpuSeconds}{mode!~"${s.cpuNotBusyModes}"}[5m]))`,
        ),
        rule('tierwise:node_cpu_cores', `count by (instance) (${s.cpuSeconds}{mode="idle"})`),
        rule(
          'tierwise:node_cpu_busy:ratio5m',
          'tierwise:node_cpu_busy_cores:rate5m / on (instance) tierwise:node_cpu_cores',
        ),
        rule(
          'tierwise:node_memory_used_bytes',
          `sum by (instance) (${s.memTotal}) - on (instance) sum by (instance) (${s.memAvailable})`,
        ),
        rule(
          'tierwise:node_memory_used:ratio',
          `tierwise:node_memory_used_bytes / on (instance) sum by (instance) (${s.memTotal})`,
        ),
        rule('tierwise:node_cpu_temperature_celsius', s.cpuTemperature),
        // The last day's labels, so a machine that is down still routes by its tier.
        rule('tierwise:node_tier_info', `max by (instance, tier, class) (last_over_time(${s.nodeInfo}[1d]))`),
      ],
    },
    {
      name: 'tierwise-gpu',
      rules: [
        rule('tierwise:gpu_power_watts', s.gpuPower),
        rule('tierwise:gpu_utilisation:ratio', s.gpuUtilisation),
        rule('tierwise:gpu_memory_used_bytes', s.gpuMemoryUsed),
        rule('tierwise:gpu_memory_total_bytes', s.gpuMemoryTotal),
        rule(
          'tierwise:gpu_memory_used:ratio',
          'tierwise:gpu_memory_used_bytes / on (instance, uuid) (tierwise:gpu_memory_total_bytes > 0)',
        ),
        rule('tierwise:gpu_temperature_celsius', s.gpuTemperature),
      ],
    },
    {
      name: 'tierwise-power',
      rules: [
        rule(
          'tierwise:node_source_power_watts',
          `${s.sourcePower}\nor on (instance, source)\n${withLabel('sum by (instance) (tierwise:gpu_power_watts)', 'source', 'gpu')}`,
        ),
        // Measured parts of the machine: its CPU side (RAPL, or a Pi 5's PMIC) plus its GPUs; GPUs alone
        // are no estimate of a machine.
        rule(
          'tierwise:node_components_watts',
          'sum by (instance) (tierwise:node_source_power_watts{source=~"rapl|pmic|gpu"})\n' +
            'and on (instance) tierwise:node_source_power_watts{source=~"rapl|pmic"}',
        ),
        // Best source per machine: at the wall (plug, ACPI meter, battery) > measured components > the
        // model (CPU-driven, so measured GPUs are added to it).
        rule(
          'tierwise:node_power_watts',
          [
            ...['plug', 'hwmon', 'battery'].map(
              (src) => `max by (instance, source) (tierwise:node_source_power_watts{source="${src}"})`,
            ),
            withLabel('tierwise:node_components_watts', 'source', 'components'),
            withLabel(
              'sum by (instance) (tierwise:node_source_power_watts{source=~"model|gpu"})\n' +
                'and on (instance) tierwise:node_source_power_watts{source="model"}',
              'source',
              'model',
            ),
          ].join('\nor on (instance)\n'),
        ),
        // What the measured parts do not see: power supply loss, disks, fans, the board.
        rule(
          'tierwise:node_platform_overhead_watts',
          'max by (instance) (tierwise:node_power_watts{source=~"plug|hwmon|battery"})\n' +
            '- on (instance) tierwise:node_components_watts',
        ),
        // The floor the machine draws doing nothing: its quietest 5 % of the last day.
        rule(
          'tierwise:node_idle_watts',
          'min by (instance) (quantile_over_time(0.05, tierwise:node_power_watts[1d]))',
        ),
      ],
    },
    {
      name: 'tierwise-workload',
      rules: [
        rule('tierwise:kube_pod_workload_info', kubePodWorkload),
        // The agent's own view where it runs; cAdvisor's (by kube-state-metrics owner) elsewhere.
        rule(
          'tierwise:workload_cpu_cores:rate5m',
          `${s.agentWorkloadCpu}\nor on (instance)\n${cadvisorByWorkload(s.cadvisorCpu)}`,
        ),
        rule(
          'tierwise:workload_memory_working_set_bytes',
          `${s.agentWorkloadMemory}\nor on (instance)\n${cadvisorByWorkload(s.cadvisorMemory)}`,
        ),
        rule('tierwise:workload_gpu_memory_bytes', s.agentWorkloadGpuMemory),
        // Each GPU's power, shared by the VRAM its workloads hold (nvidia-smi reports no per-process
        // utilisation for compute apps; VRAM is what they do report).
        rule(
          'tierwise:workload_gpu_power_watts',
          `sum by (${WORKLOAD}) (
  tierwise:workload_gpu_memory_bytes
  / on (instance, uuid) group_left () (sum by (instance, uuid) (tierwise:workload_gpu_memory_bytes) > 0)
  * on (instance, uuid) group_left () tierwise:gpu_power_watts
)`,
        ),
        // Power above idle, less the GPU power already given to workloads: what CPU shares divide.
        rule(
          'tierwise:node_cpu_dynamic_watts',
          `clamp_min(
  max by (instance) (tierwise:node_power_watts)
  - on (instance) tierwise:node_idle_watts
  - on (instance) (sum by (instance) (tierwise:workload_gpu_power_watts) or on (instance) 0 * tierwise:node_idle_watts),
  0)`,
        ),
        // Shares of the CPU time the workloads used (not of the machine's busy time), so every watt
        // above idle lands on some workload even where the engine did not see all of it.
        rule(
          'tierwise:workload_cpu_power_watts',
          `tierwise:workload_cpu_cores:rate5m
/ on (instance) group_left () (sum by (instance) (tierwise:workload_cpu_cores:rate5m) > 0)
* on (instance) group_left () tierwise:node_cpu_dynamic_watts`,
        ),
        rule(
          'tierwise:workload_power_watts',
          `tierwise:workload_cpu_power_watts + tierwise:workload_gpu_power_watts
or tierwise:workload_cpu_power_watts
or tierwise:workload_gpu_power_watts`,
        ),
        // A machine with no workload data: its power above idle, unattributed.
        rule(
          'tierwise:workload_power_watts',
          `tierwise:node_cpu_dynamic_watts unless on (instance) tierwise:workload_cpu_cores:rate5m`,
          { workload: 'unattributed', kind: 'none' },
        ),
        // Idle is what is left, so the workloads of a machine always add up to its power.
        rule(
          'tierwise:workload_power_watts',
          `max by (instance) (tierwise:node_power_watts)
- on (instance) (sum by (instance) (tierwise:workload_power_watts{workload!="idle"}) or on (instance) 0 * tierwise:node_idle_watts)`,
          { workload: 'idle', kind: 'idle' },
        ),
      ],
    },
    {
      name: 'tierwise-cost',
      rules: [
        rule(
          'tierwise:node_cost_per_hour',
          `max by (instance) (tierwise:node_power_watts) / 1000\n* on () group_left (currency) max by (currency) (${s.tariffPrice})`,
        ),
        rule(
          'tierwise:workload_cost_per_hour',
          `tierwise:workload_power_watts / 1000\n* on () group_left (currency) max by (currency) (${s.tariffPrice})`,
        ),
      ],
    },
  ];
}
