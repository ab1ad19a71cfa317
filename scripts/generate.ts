// Regenerates the committed artefacts built from code (rule files, Alertmanager's config, the scenario's and the weekly report's JSON Schemas); tests fail while they are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exampleAlertmanagerFiles } from '../alertmanager/example.ts';
import { scenarioSchemaFile } from '../collector/advisor/scenario-schema-file.ts';
import { reportSchemaFile } from '../collector/report/schema-file.ts';
import { dashboardFiles } from '../dashboards/index.ts';
import { deployFiles } from '../deploy/manifests/files.ts';
import { exampleRuleFiles } from '../rules/example.ts';

for (const f of [
  ...exampleRuleFiles(),
  ...exampleAlertmanagerFiles(),
  ...dashboardFiles(),
  scenarioSchemaFile(),
  reportSchemaFile(),
  ...deployFiles(),
]) {
  mkdirSync(path.dirname(f.path), { recursive: true });
  writeFileSync(f.path, f.text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), f.path)}\n`);
}
