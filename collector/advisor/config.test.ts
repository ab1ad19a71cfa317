import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../common/config.ts';
import { configErrorOf } from '../../test/support/config.ts';

describe("tierwise.yml's tariff, collector and machine facts", () => {
  it('has collector defaults and no tariff unless given', () => {
    const { collector, tariff } = defaultConfig();
    expect(tariff).toBeUndefined();
    expect(collector).toMatchObject({
      listen_address: ':10092',
      window: 7 * 86400,
      step: 300,
      refresh_interval: 3600,
      prometheus: { timeout_seconds: 60 },
      options: { cpu_headroom: 0.8, min_coverage: 0.8 },
    });
  });

  it('reads a time-of-use tariff and the facts the cost model needs', () => {
    const config = parseConfig(
      `
tariff:
  currency: GBP
  timezone: Europe/London
  price_per_kwh: 0.28
  bands: [{ from: "00:00", to: "07:00", price_per_kwh: 0.09 }]
collector: { window: 2w, step: 10m, prometheus: { url: "http://prom:9090" }, options: { migration_cost: 5 } }
machines:
  old-desktop: { purchase_price: 400, lifetime_years: 6, salvage_value: 20, may_power_off: true, arch: amd64 }
`,
      'tierwise.yml',
    );
    expect(config.tariff).toMatchObject({
      currency: 'GBP',
      standing_charge_per_day: 0,
      bands: [{ from: '00:00' }],
    });
    expect(config.collector).toMatchObject({ window: 14 * 86400, step: 600, options: { migration_cost: 5 } });
    expect(config.machines['old-desktop']).toMatchObject({
      purchase_price: 400,
      arch: 'amd64',
      may_sleep: false,
    });
  });

  it('names the key of every problem', () => {
    const err = configErrorOf(`
tariff: { timezone: Mars/Olympus, price_per_kwh: -1, bands: [{ from: "7am", to: "09:00", price_per_kwh: 0.1 }] }
collector: { window: 0d, listen_address: nowhere, prometheus: { url: "ftp://x" } }
machines: { nas: { purchase_price: 100, salvage_value: 150, lifetime: 3 } }
`);
    expect(err?.problems).toEqual([
      "machines.nas: unknown key(s) 'lifetime'",
      'tariff.price_per_kwh: Too small: expected number to be >=0',
      'tariff.bands.0.from: expected HH:MM (24:00 allowed as an end)',
      'collector.listen_address: expected [host]:port (e.g. :10092)',
      'collector.prometheus.url: Invalid URL',
      'collector.window: expected a duration above zero, such as 5m, 6h or 7d',
    ]);
    // Checked once the shape is right: the zone, and salvage against price.
    expect(
      configErrorOf(
        'tariff: { timezone: Mars/Olympus, price_per_kwh: 0.2 }\nmachines: { nas: { purchase_price: 100, salvage_value: 150 } }\n',
      )?.problems,
    ).toEqual([
      'tariff.timezone: expected an IANA time zone such as Europe/London, got "Mars/Olympus"',
      'machines.nas.salvage_value: expected at most purchase_price (100)',
    ]);
  });
});
