import { z } from 'zod';

/** The scrape jobs `tierwise stack` writes itself; an exporter job may not take one of these names. */
export const STACK_JOBS = {
  agent: 'tierwise-agent',
  probe: 'tierwise-probe',
  probeSelf: 'tierwise-probe-self',
  collector: 'tierwise-collector',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
} as const;

const listen = z.string().regex(/^[^\s:]*:\d+$/, 'expected host:port (e.g. 127.0.0.1:9090)');
const hostPort = z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port');

/** `tierwise stack`: the agent, the probe, Prometheus and Alertmanager on one machine. */
export const stackConfigSchema = z
  .strictObject({
    /** Prometheus' TSDB, Alertmanager's state and the generated configs live here (relative: to the working directory). */
    data_dir: z.string().min(1).default('tierwise-data'),
    /** Also the rule evaluation interval. */
    scrape_interval: z
      .string()
      .regex(/^\d+[sm]$/, 'expected a duration such as 15s or 1m')
      .default('15s'),
    retention: z
      .string()
      .regex(/^\d+[dwy]$/, 'expected a duration such as 30d')
      .default('90d'),
    listen: z
      .strictObject({
        agent: listen.default('127.0.0.1:10090'),
        probe: listen.default('127.0.0.1:10091'),
        collector: listen.default('127.0.0.1:10092'),
        prometheus: listen.default('127.0.0.1:9090'),
        alertmanager: listen.default('127.0.0.1:9093'),
      })
      .prefault({}),
    /** Agents on other machines to scrape (host:port); `instance` becomes the host. */
    agents: z.array(hostPort).default([]),
    /** Other exporters to scrape (node_exporter, dcgm-exporter, nvidia_gpu_exporter, a kubelet's cAdvisor…). */
    exporters: z
      .array(
        z.strictObject({
          job: z.string().min(1),
          targets: z.array(hostPort).min(1),
          metrics_path: z.string().startsWith('/').default('/metrics'),
        }),
      )
      .default([]),
  })
  .superRefine((s, ctx) => {
    const reserved = new Set<string>(Object.values(STACK_JOBS));
    const seen = new Set<string>();
    s.exporters.forEach((e, i) => {
      if (reserved.has(e.job) || seen.has(e.job))
        ctx.addIssue({
          code: 'custom',
          path: ['exporters', i, 'job'],
          message: `job "${e.job}" is ${seen.has(e.job) ? 'listed twice' : "one of the stack's own jobs"}`,
        });
      seen.add(e.job);
    });
    // Each is checked free before start, one at a time, so two sharing a port would both pass.
    const ports = new Map<string, string>();
    for (const [key, address] of Object.entries(s.listen)) {
      const port = address.slice(address.lastIndexOf(':') + 1);
      const other = ports.get(port);
      if (other !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['listen', key],
          message: `port ${port} is already stack.listen.${other}'s`,
        });
      ports.set(port, key);
    }
  });
export type StackConfig = z.infer<typeof stackConfigSchema>;
