/**
 * Where each figure comes from, exporter by exporter: the only place that names raw series. Recording
 * rules (and dashboards) build on these, so supporting another exporter is an edit here.
 *
 * Every expression here yields series labelled by `instance` (the machine) plus the keys named in its
 * comment; where several exporters can report the same thing for one machine, the first listed wins for
 * that machine (`or on (instance)`), so a figure is never counted twice.
 */

/** `{instance, uuid}`; uuid as nvidia-smi prints it (GPU-…), whichever exporter reported it. */
function perGpu(agent: string, nvidiaGpuExporter: string, dcgm: string): string {
  return [
    `max by (instance, uuid) (${agent})`,
    // utkuozdemir/nvidia_gpu_exporter drops nvidia-smi's "GPU-" prefix from the uuid.
    `max by (instance, uuid) (label_replace(${nvidiaGpuExporter}, "uuid", "GPU-$1", "uuid", "([0-9a-f-]+)"))`,
    // NVIDIA's dcgm-exporter spells the label UUID.
    `max by (instance, uuid) (label_replace(${dcgm}, "uuid", "$1", "UUID", "(.+)"))`,
  ].join('\nor on (instance)\n');
}

const CPU_TEMPERATURE_CHIPS = 'coretemp|k10temp|zenpower|cpu_thermal|cpu-thermal|soc_thermal|rp1_adc';
const CPU_THERMAL_ZONES = 'x86_pkg_temp|cpu-thermal|cpu_thermal|soc-thermal|soc_thermal|cpu0-thermal';

/** cAdvisor's per-container series (the kubelet's /metrics/cadvisor), without the pause container. */
const CADVISOR_CONTAINER = 'container!="", container!="POD", pod!=""';

export const sources = {
  /** node_exporter, the tierwise agent and the SSH probe all speak node_exporter's CPU counters. */
  cpuSeconds: 'node_cpu_seconds_total',
  /** Time a CPU is not doing work: idle, waiting on I/O, or taken by the hypervisor. */
  cpuNotBusyModes: 'idle|iowait|steal',
  memTotal: 'node_memory_MemTotal_bytes',
  memAvailable: 'node_memory_MemAvailable_bytes',

  /** `{instance}`: the hottest CPU sensor: hwmon chips by name, else the CPU's thermal zone. */
  cpuTemperature: [
    `max by (instance) (node_hwmon_temp_celsius * on (instance, chip) group_left () node_hwmon_chip_names{chip_name=~"${CPU_TEMPERATURE_CHIPS}"})`,
    `max by (instance) (node_thermal_zone_temp{type=~"${CPU_THERMAL_ZONES}"})`,
  ].join('\nor on (instance)\n'),

  /**
   * `{instance, source}`: average watts over 5 minutes of each whole-machine or component source except
   * GPUs. The agent's power gauges first (not its energy counters: a plug's counter moves in whole
   * watt-hours or watt-minutes, 12 W of noise over 5 minutes for a 3 W Pi); node_exporter's RAPL zones
   * (psys, else package + DRAM) and ACPI power meter where the agent did not report that source.
   */
  sourcePower: [
    'sum by (instance, source) (avg_over_time(tierwise_node_power_watts{source!="gpu"}[5m]))',
    `label_replace(
  sum by (instance) (rate(node_rapl_psys_joules_total[5m]))
  or on (instance)
  sum by (instance) (rate({__name__=~"node_rapl_(package|dram)_joules_total"}[5m])),
  "source", "rapl", "", "")`,
    `label_replace(
  sum by (instance) (node_hwmon_power_average_watt * on (instance, chip) group_left () node_hwmon_chip_names{chip_name="power_meter"}),
  "source", "hwmon", "", "")`,
  ].join('\nor on (instance, source)\n'),

  /** `{instance, uuid}` board power, averaged over 5 minutes. */
  gpuPower: perGpu(
    'avg_over_time(tierwise_gpu_power_watts[5m])',
    'avg_over_time(nvidia_smi_power_draw_watts[5m])',
    'avg_over_time(DCGM_FI_DEV_POWER_USAGE[5m])',
  ),
  /** `{instance, uuid}` 0–1. */
  gpuUtilisation: perGpu(
    'tierwise_gpu_utilization_ratio',
    'nvidia_smi_utilization_gpu_ratio',
    'DCGM_FI_DEV_GPU_UTIL / 100',
  ),
  /** `{instance, uuid}` bytes. */
  gpuMemoryUsed: perGpu(
    'tierwise_gpu_memory_used_bytes',
    'nvidia_smi_memory_used_bytes',
    'DCGM_FI_DEV_FB_USED * 1048576',
  ),
  /** `{instance, uuid}` bytes. */
  gpuMemoryTotal: perGpu(
    'tierwise_gpu_memory_total_bytes',
    'nvidia_smi_memory_total_bytes',
    '(DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) * 1048576',
  ),
  /** `{instance, uuid}` °C, the GPU die. */
  gpuTemperature: perGpu(
    'tierwise_gpu_temperature_celsius{sensor="gpu"}',
    'nvidia_smi_temperature_gpu',
    'DCGM_FI_DEV_GPU_TEMP',
  ),

  /** `{instance, workload, kind, namespace}` CPU cores, the agent's workloads collector. */
  agentWorkloadCpu:
    'sum by (instance, workload, kind, namespace) (rate(tierwise_workload_cpu_seconds_total[5m]))',
  agentWorkloadMemory:
    'sum by (instance, workload, kind, namespace) (tierwise_workload_memory_working_set_bytes)',
  /** `{instance, uuid, workload, kind, namespace}` VRAM held by each workload's processes. */
  agentWorkloadGpuMemory:
    'sum by (instance, uuid, workload, kind, namespace) (tierwise_gpu_process_memory_bytes)',
  cadvisorCpu: `rate(container_cpu_usage_seconds_total{${CADVISOR_CONTAINER}}[5m])`,
  cadvisorMemory: `container_memory_working_set_bytes{${CADVISOR_CONTAINER}}`,

  /** `{instance, tier, class}` from the agent's or the probe's inventory. */
  nodeInfo: 'tierwise_node_info',
  /** The price of a kWh now, `{currency}`, from the collector's tariff. */
  tariffPrice: 'tierwise_tariff_price_per_kwh',
} as const;

/**
 * `{namespace, pod, workload}` 1 for each pod, from kube-state-metrics: the owner that survives
 * restarts, named as the agent names it (`namespace/Kind/name`): a ReplicaSet's pods by their
 * Deployment, a Job's pods by their CronJob, anything else by its direct owner.
 */
export const kubePodWorkload = [
  `label_join(
  max by (namespace, pod, owner_name) (kube_pod_owner{owner_kind="ReplicaSet"})
  * on (namespace, owner_name) group_left (deployment)
  max by (namespace, owner_name, deployment) (
    label_replace(label_replace(kube_replicaset_owner{owner_kind="Deployment"}, "deployment", "$1", "owner_name", "(.+)"), "owner_name", "$1", "replicaset", "(.+)")
  ),
  "workload", "/Deployment/", "namespace", "deployment")`,
  `label_join(
  max by (namespace, pod, owner_name) (kube_pod_owner{owner_kind="Job"})
  * on (namespace, owner_name) group_left (cronjob)
  max by (namespace, owner_name, cronjob) (
    label_replace(label_replace(kube_job_owner{owner_kind="CronJob"}, "cronjob", "$1", "owner_name", "(.+)"), "owner_name", "$1", "job_name", "(.+)")
  ),
  "workload", "/CronJob/", "namespace", "cronjob")`,
  `label_join(
  max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{owner_kind!~"ReplicaSet|<none>|"}),
  "workload", "/", "namespace", "owner_kind", "owner_name")`,
]
  .map((e) => `max by (namespace, pod, workload) (${e})`)
  .join('\nor on (namespace, pod)\n');

/**
 * node_exporter's host series that only dashboards read (the agent and the SSH probe speak them too),
 * with the matchers that keep pseudo filesystems and virtual network devices out of the figures.
 */
export const hostSources = {
  filesystemSize: 'node_filesystem_size_bytes',
  filesystemAvail: 'node_filesystem_avail_bytes',
  realFilesystems: 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|nsfs|autofs|fuse\\\\..*"',
  diskReadBytes: 'node_disk_read_bytes_total',
  diskWrittenBytes: 'node_disk_written_bytes_total',
  networkReceiveBytes: 'node_network_receive_bytes_total',
  networkTransmitBytes: 'node_network_transmit_bytes_total',
  physicalNetDevices: 'device!~"lo|veth.*|docker.*|br-.*|cni.*|flannel.*|cali.*|virbr.*"',
  load: ['node_load1', 'node_load5', 'node_load15'],
  bootTime: 'node_boot_time_seconds',
  hwmonTemperature: 'node_hwmon_temp_celsius',
} as const;
