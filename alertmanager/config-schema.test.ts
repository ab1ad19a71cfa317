import { describe, expect, it } from 'vitest';
import { parseConfig } from '../common/config.ts';
import { configErrorOf } from '../test/support/config.ts';

const problems = (text: string) => configErrorOf(text)?.problems;

describe('alerting: in tierwise.yml', () => {
  it('defaults to no receivers and Alertmanager’s usual intervals', () => {
    const { alerting } = parseConfig('', 'tierwise.yml');
    expect(alerting.receivers).toEqual([]);
    expect(alerting.severity).toEqual({ critical: [], warning: [], info: [] });
    expect([alerting.group_wait, alerting.group_interval, alerting.repeat_interval]).toEqual([
      '30s',
      '5m',
      '4h',
    ]);
  });

  it('names the key of each receiver problem', () => {
    const text = `
alerting:
  receivers:
    - { type: ntfy, name: phone, url: https://ntfy.sh/x, priority: loud }
    - { type: ntfy, name: phone2, url: https://ntfy.sh/y }
    - { type: webhook, name: "null", url: http://x/y }
    - type: webhook
      name: both
      url: http://x/y
      bearer_token_file: /t
      basic_auth: { username: u, password_file: /p }
    - { type: email, name: mail, to: a@b, from: c@d, smarthost: smtp, password_file: /p }
    - { type: pager, name: p }
`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/^alerting\.receivers\.0\.priority: .*"urgent"/),
      'alerting.receivers.2.name: "null" is the receiver that drops alerts; pick another name',
      'alerting.receivers.3.basic_auth: expected either bearer_token_file or basic_auth, not both',
      'alerting.receivers.4.smarthost: expected host:port',
      'alerting.receivers.4.username: expected a username with password_file',
      expect.stringMatching(/^alerting\.receivers\.5\.type: /),
    ]);
  });

  it('reports a receiver named twice', () => {
    const text = `
alerting:
  receivers:
    - { type: ntfy, name: phone, url: https://ntfy.sh/x }
    - { type: ntfy, name: phone, url: https://ntfy.sh/y }
`;
    expect(problems(text)).toEqual(['alerting.receivers.1.name: "phone" is named twice']);
  });

  it('checks schedules: time zone, weekdays and times', () => {
    const text = `
alerting:
  group_interval: 0s
  schedules:
    nights:
      timezone: Mars/Olympus
      times:
        - { weekdays: [mon:fri], start: "23:00", end: "7:00" }
        - { start: "24:00", end: "06:00" }
        - { start: "06:00", end: "06:00" }
`;
    expect(problems(text)).toEqual([
      'alerting.group_interval: expected a duration above zero, such as 5m or 4h',
      'alerting.schedules.nights.timezone: expected an IANA time zone such as Europe/London',
      'alerting.schedules.nights.times.0.weekdays.0: expected a weekday (monday) or a range (monday:friday)',
      'alerting.schedules.nights.times.0.end: expected HH:MM',
      'alerting.schedules.nights.times.1.start: expected a start before 24:00',
      'alerting.schedules.nights.times.2.end: expected an end different from start',
    ]);
  });

  it('ties machines and routes to names that exist', () => {
    const text = `
machines:
  nas: { schedule: weekends }
alerting:
  receivers: [{ type: ntfy, name: phone, url: https://ntfy.sh/x }]
  severity: { critical: [phone, pager] }
  tiers: { pi: [chat] }
`;
    expect(problems(text)).toEqual([
      'machines.nas.schedule: expected the name of a schedule in alerting.schedules, got "weekends"',
      'alerting.severity.critical.1: expected the name of a receiver in alerting.receivers, got "pager"',
      'alerting.tiers.pi.0: expected the name of a receiver in alerting.receivers, got "chat"',
    ]);
  });
});
