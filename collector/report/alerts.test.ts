import { describe, expect, it } from 'vitest';
import { firedAlerts } from './alerts.ts';

const T0 = 1_790_000_040;
const firing = (labels: Record<string, string>, minutes: number[]) => ({
  metric: { __name__: 'ALERTS', alertstate: 'firing', ...labels },
  values: minutes.map((m): [number, string] => [T0 + m * 60, '1']),
});

describe('firedAlerts', () => {
  it('turns a range answer into firing intervals per alert, earliest first', () => {
    const alerts = firedAlerts(
      [
        firing({ alertname: 'NodeDown', instance: 'pi4', severity: 'critical' }, [10, 11, 12, 13, 40, 41]),
        firing({ alertname: 'PowerSourceMissing', instance: 'n100', severity: 'warning' }, [0]),
      ],
      60,
    );
    expect(alerts).toEqual([
      {
        alertname: 'PowerSourceMissing',
        instance: 'n100',
        severity: 'warning',
        labels: { alertname: 'PowerSourceMissing', instance: 'n100', severity: 'warning' },
        intervals: [{ start: T0, end: T0 + 60 }],
        first_firing: T0,
        last_firing: T0,
        firing_seconds: 60,
      },
      {
        alertname: 'NodeDown',
        instance: 'pi4',
        severity: 'critical',
        labels: { alertname: 'NodeDown', instance: 'pi4', severity: 'critical' },
        intervals: [
          { start: T0 + 600, end: T0 + 840 },
          { start: T0 + 2400, end: T0 + 2520 },
        ],
        first_firing: T0 + 600,
        last_firing: T0 + 2460,
        firing_seconds: 360,
      },
    ]);
  });

  it('merges one alert split over several series, and keeps alerts without instance or severity', () => {
    const alerts = firedAlerts(
      [
        firing({ alertname: 'Watchdog' }, [0, 1]),
        {
          ...firing({ alertname: 'Watchdog' }, [2, 3]),
          metric: { alertname: 'Watchdog', alertstate: 'firing' },
        },
        { metric: { alertname: 'Empty', alertstate: 'firing' }, values: [] },
      ],
      60,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alertname: 'Watchdog', intervals: [{ start: T0, end: T0 + 240 }] });
    expect(alerts[0]).not.toHaveProperty('instance');
    expect(firedAlerts([], 60)).toEqual([]);
  });
});
