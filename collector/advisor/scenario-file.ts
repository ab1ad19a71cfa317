import { z } from 'zod';
import { ConfigError, isTimeZone, parseJsonFile, readConfigFile } from '../../common/config.ts';
import { type Scenario, scenarioSchema } from '../../cost/scenario.ts';

/** An editor's `"$schema": "…/scenario.schema.json"` line is for the editor, not the model. */
const withoutSchemaKey = z.preprocess((v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !('$schema' in v)) return v;
  const { $schema: _, ...rest } = v as Record<string, unknown>;
  return rest;
}, scenarioSchema);

/**
 * A what-if scenario (JSON, cost/scenario.schema.json) for `tierwise advise --scenario`: every problem
 * reported at once as "dotted.key: what was expected", as tierwise.yml's are (exit 2).
 */
export function parseScenario(text: string, file: string): Scenario {
  const scenario = parseJsonFile(withoutSchemaKey, text, file) as Scenario;
  if (!isTimeZone(scenario.tariff.timezone))
    throw new ConfigError(file, [
      `tariff.timezone: expected an IANA time zone such as Europe/London, got "${scenario.tariff.timezone}"`,
    ]);
  return scenario;
}

export async function loadScenario(file: string): Promise<Scenario> {
  return parseScenario(await readConfigFile(file), file);
}
