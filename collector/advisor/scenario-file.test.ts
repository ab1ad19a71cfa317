import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/config.ts';
import { scenarioJson } from '../../cost/scenario.ts';
import { repoRoot } from '../../test/support/agent-process.ts';
import { loadScenario, parseScenario } from './scenario-file.ts';
import { scenarioSchemaFile } from './scenario-schema-file.ts';

const example = path.join(repoRoot, 'examples/scenario-what-if.json');

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'what-if.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('what-if scenario files', () => {
  it('reads the example, $schema line and all, with defaults filled in', async () => {
    const s = await loadScenario(example);
    expect(s.machines.find((m) => m.name === 'pi5')).toMatchObject({ hypothetical: true, gpus: [] });
    expect(s.tariff.bands).toHaveLength(2);
    expect(s.options.cpu_headroom).toBe(0.8);
  });

  it('names the file and the dotted key of every problem', () => {
    const base = JSON.parse(readFileSync(example, 'utf8'));
    const bad = {
      ...base,
      machines: [{ ...base.machines[0], speed_score: 0 }, ...base.machines.slice(1)],
      workloads: [{ ...base.workloads[0], machine: 'nowhere' }],
      extra: true,
    };
    expect(problemsOf(JSON.stringify(bad))).toEqual([
      'machines.0.speed_score: Too small: expected number to be >0',
      "unknown key(s) 'extra'",
      'workloads.0.machine: expected the name of a machine in machines, got "nowhere"',
    ]);
    expect(
      problemsOf(JSON.stringify({ ...base, tariff: { ...base.tariff, timezone: 'Europe/Londn' } })),
    ).toEqual(['tariff.timezone: expected an IANA time zone such as Europe/London, got "Europe/Londn"']);
    expect(problemsOf('{"window": {')[0]).toMatch(/^line 1: /);
    expect(() => parseScenario('{}', 'what-if.json')).toThrow(/^what-if\.json: invalid configuration/);
  });

  it('holds series as Float64Array with NaN for no data, and writes them back as numbers and nulls', () => {
    const base = JSON.parse(readFileSync(example, 'utf8'));
    const first = base.machines[0];
    const withGap = {
      ...base,
      machines: [{ ...first, power_watts: [40, null, 41.5] }, ...base.machines.slice(1)],
    };
    const s = parseScenario(JSON.stringify(withGap), 'what-if.json');
    const power = s.machines[0]?.power_watts;
    expect(power).toBeInstanceOf(Float64Array);
    expect([...(power ?? [])]).toEqual([40, Number.NaN, 41.5]);
    const text = scenarioJson(s);
    expect(JSON.parse(text).machines[0].power_watts).toEqual([40, null, 41.5]);
    // What --save-scenario writes, --scenario reads back unchanged.
    expect(parseScenario(text, 'saved.json')).toEqual(s);
  });

  it('says on which line a file stops being JSON', () => {
    expect(problemsOf('{\n  "window": {},\n  "tariff": ]\n}')[0]).toMatch(/^line 3: /);
  });

  it('has its JSON Schema committed as generated (npm run generate)', () => {
    const f = scenarioSchemaFile();
    expect(readFileSync(f.path, 'utf8')).toBe(f.text);
    const schema = JSON.parse(f.text);
    expect(schema.required).toEqual(['window', 'tariff', 'machines']);
    expect(schema.properties.machines.items.properties.hypothetical).toMatchObject({ type: 'boolean' });
  });
});
