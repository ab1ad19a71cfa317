import { describe, expect, it } from 'vitest';
import { reportDeliveryConfigSchema, reportTimezone } from './config.ts';

function problems(input: unknown): string[] {
  const r = reportDeliveryConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('reportDeliveryConfigSchema', () => {
  it('defaults to Mondays at 07:00 in the tariff’s zone, run by the collector, files only', () => {
    const c = reportDeliveryConfigSchema.parse({});
    expect(c.timezone).toBeUndefined();
    expect(reportTimezone({ report: c })).toBe('UTC');
    expect(reportTimezone({ report: c, tariff: { timezone: 'America/Los_Angeles' } })).toBe(
      'America/Los_Angeles',
    );
    expect(reportTimezone({ report: { timezone: 'Europe/Berlin' }, tariff: { timezone: 'UTC' } })).toBe(
      'Europe/Berlin',
    );
    expect(c).toMatchObject({
      out_dir: 'tierwise-data/reports',
      schedule: '0 7 * * 1',
      in_collector: true,
      retries: { attempts: 5, initial_delay_seconds: 30, max_delay_seconds: 900, jitter: true },
      destinations: [],
    });
  });

  it('fills each destination type’s defaults', () => {
    const c = reportDeliveryConfigSchema.parse({
      destinations: [
        { type: 'email', to: 'me@example.lan', from: 'tierwise@example.lan', smarthost: 'mail:587' },
        { type: 'slack', url_file: '/run/secrets/slack' },
        { type: 'gitea', url: 'https://git.example.lan', repo: 'me/homelab', token_file: '/t', labels: [3] },
      ],
    });
    expect(c.destinations[0]).toMatchObject({ require_tls: true });
    expect(c.destinations[1]).toMatchObject({ max_length: 1900 });
  });

  it('names the dotted key of each problem', () => {
    expect(
      problems({
        schedule: '0 7 * *',
        timezone: 'Mars/Olympus',
        retries: { initial_delay_seconds: 60, max_delay_seconds: 10 },
        destinations: [
          { type: 'gitea', url: 'https://git.example.lan', repo: 'homelab', token_file: '/t' },
          { type: 'email', to: 'a', from: 'b', smarthost: 'mail', password_file: '/p' },
          { type: 'pager', url: 'x' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^schedule: expected a five-field cron expression/),
      'timezone: expected an IANA time zone such as Europe/London',
      'retries.max_delay_seconds: expected at least initial_delay_seconds',
      'destinations.0.repo: expected owner/name',
      'destinations.1.smarthost: expected host:port',
      'destinations.1.username: expected a username with password_file',
      expect.stringMatching(/^destinations\.2\.type: Invalid discriminator value/),
    ]);
    expect(
      problems({
        destinations: [
          { type: 'webhook', name: 'n', url: 'http://a/' },
          { type: 'webhook', name: 'n', url: 'http://b/' },
        ],
      }),
    ).toEqual(['destinations.1.name: "n" is named twice']);
  });
});
