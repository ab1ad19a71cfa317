import { expect } from 'vitest';
import type { MetricFamily } from '../../exporters/metrics.ts';
import { type ExpositionSample, parseExposition } from './exposition.ts';
import { readFixture } from './fixtures.ts';

/**
 * node_exporter's end-to-end output: its binary run with most collectors on against its own fixture
 * tree (proc-sys/node_exporter__proc and node_exporter__sys.ttar). Matching it is how a collector shows
 * it can stand in for node_exporter's.
 */
const GOLDEN_TEXT = readFixture('prometheus-exposition/node_exporter__e2e-output-linux.txt');
const GOLDEN = parseExposition(GOLDEN_TEXT);

/** The samples of one family in node_exporter's end-to-end output. */
export function nodeExporterSamples(name: string): ExpositionSample[] {
  return GOLDEN.filter((s) => s.name === name);
}

/** The family names in node_exporter's end-to-end output that `match` accepts, sorted. */
export function nodeExporterFamilyNames(match: (name: string) => boolean): string[] {
  return [...new Set(GOLDEN.map((s) => s.name).filter(match))].sort();
}

/** Expects every family to carry the HELP and TYPE lines node_exporter prints for it. */
export function expectNodeExporterHelp(families: MetricFamily[]): void {
  for (const { name, help, type } of families) {
    expect(GOLDEN_TEXT, name).toContain(`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`);
  }
}

export interface GoldenOptions {
  /**
   * The golden families the collector must reproduce, all of them, even those it printed nothing for.
   * Without it only the families the collector returned are compared.
   */
  scope?: (name: string) => boolean;
  /**
   * Maps a golden sample onto what our copy of the fixture tree gives (another label value where the
   * copy lost a symlink, say); undefined leaves it out.
   */
  relabel?: (sample: ExpositionSample) => ExpositionSample | undefined;
}

/**
 * Expects `families`, read from node_exporter's fixture tree, to be what node_exporter printed for it:
 * the same HELP and TYPE lines, and the same series with the same values, none missing and none extra.
 * Returns how many series were compared, so a test can check that the golden file had some to compare.
 */
export function expectMatchesNodeExporter(families: MetricFamily[], options: GoldenOptions = {}): number {
  const { relabel = (s: ExpositionSample) => s } = options;
  const ours = new Set(families.map((f) => f.name));
  const inScope = options.scope ?? ((name: string) => ours.has(name));
  expectNodeExporterHelp(families);
  const expected = GOLDEN.filter((s) => inScope(s.name))
    .map(relabel)
    .filter((s) => s !== undefined);
  const got = families.flatMap((f) => f.samples.map((s) => ({ name: f.name, ...s })));
  expect(sorted(got)).toEqual(sorted(expected));
  return expected.length;
}

function sorted(samples: ExpositionSample[]): ExpositionSample[] {
  const key = (s: ExpositionSample) =>
    `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}${s.value}`;
  return samples.toSorted((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
