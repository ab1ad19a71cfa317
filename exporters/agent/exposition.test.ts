import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../common/config.ts';
import { silentLogger } from '../../common/log.ts';
import { fixturePath } from '../../test/support/fixtures.ts';
import type { MetricFamily } from '../metrics.ts';
import { createAgent } from './agent.ts';
import { formatFamilies } from './exposition.ts';

/**
 * prom-client's own text rendering of the same families: the reference the formatter must match. One
 * deliberate difference: prom-client 15 prints NaN as "Nan"; Prometheus's parser takes both, and the
 * exposition format spells it "NaN", as we do.
 */
async function renderWithPromClient(families: MetricFamily[]): Promise<string> {
  const registry = new Registry();
  for (const family of families) {
    const metric = { ...family, aggregator: 'sum', get: () => ({ ...family, values: family.samples }) };
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
  return (await registry.metrics()).replace(/ Nan$/gm, ' NaN');
}

const withoutBlankLines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('formatFamilies', () => {
  it("renders a whole fixture-tree scrape exactly as prom-client's registry does", async () => {
    const { scraper } = await createAgent({
      paths: {
        procfs: fixturePath('proc-sys/node_exporter__proc'),
        sysfs: fixturePath('proc-sys/x86-hwmon-rapl__node_exporter/sys'),
        rootfs: '/nonexistent',
      },
      config: { ...defaultConfig().agent, speed_score: { enabled: false, runs: 1 } },
      webConfig: { headers: {} },
      disabled: new Set(),
      log: silentLogger,
    });
    const { families } = await scraper.scrape();
    expect(families.length).toBeGreaterThan(50);
    expect(withoutBlankLines(formatFamilies(families))).toEqual(
      withoutBlankLines(await renderWithPromClient(families)),
    );
  });

  it('escapes label values and help text, and spells special values as Prometheus does', async () => {
    const families: MetricFamily[] = [
      {
        name: 'tierwise_test',
        help: 'back\\slash and\nnewline',
        type: 'gauge',
        samples: [
          { labels: { mountpoint: '/mnt/a "quoted"\\dir\nx' }, value: Number.NaN },
          { labels: {}, value: Number.POSITIVE_INFINITY },
          { labels: { a: '1', b: '2' }, value: Number.NEGATIVE_INFINITY },
          { labels: { a: 'x' }, value: 1e21 },
        ],
      },
    ];
    const ours = formatFamilies(families);
    expect(ours).toContain('tierwise_test{mountpoint="/mnt/a \\"quoted\\"\\\\dir\\nx"} NaN\n');
    expect(ours).toContain('# HELP tierwise_test back\\\\slash and\\nnewline\n');
    expect(withoutBlankLines(ours)).toEqual(withoutBlankLines(await renderWithPromClient(families)));
  });

  it('merges families of one name from two collectors', () => {
    const a: MetricFamily = {
      name: 'x',
      help: 'h',
      type: 'gauge',
      samples: [{ labels: { n: '1' }, value: 1 }],
    };
    const b: MetricFamily = {
      name: 'x',
      help: 'h',
      type: 'gauge',
      samples: [{ labels: { n: '2' }, value: 2 }],
    };
    expect(formatFamilies([a, b])).toBe('# HELP x h\n# TYPE x gauge\nx{n="1"} 1\nx{n="2"} 2\n\n');
    expect(a.samples).toHaveLength(1);
  });
});
