import path from 'node:path';
import { FamilyBuilder, type MetricFamily } from '../metrics.ts';

/**
 * /sys/class/hwmon/hwmon* turned into node_exporter's `node_hwmon_*` families. The rules (which files
 * count as sensors, how a chip is named, which unit each element gets) follow node_exporter 1.x's
 * collector/hwmon_linux.go, so dashboards built on node_exporter read our series unchanged.
 */

/** What the collector read for one hwmonN directory. */
export interface HwmonChipFiles {
  /** The directory's own name under class/hwmon, e.g. "hwmon3". */
  dir: string;
  /** Where its `device` link resolves to, when it has one. */
  devicePath?: string;
  /**
   * Its attribute files (file name → contents), `name` included: the chip directory's, then the sensor
   * files of `device/`, which win on a clash as in node_exporter (older drivers such as applesmc keep
   * their sensors there). Files that are not sensors are ignored.
   */
  attributes: Map<string, string>;
}

/** What a chip's label is derived from. */
export interface ChipIdentity {
  dir: string;
  /** Contents of the chip's `name` file, when it has one. */
  name?: string;
  devicePath?: string;
}

/** node_exporter's allowlist: files of any other type are ignored. */
const SENSOR_TYPES = new Set([
  'vrm',
  'beep_enable',
  'update_interval',
  'in',
  'cpu',
  'fan',
  'pwm',
  'temp',
  'curr',
  'power',
  'energy',
  'humidity',
  'intrusion',
  'freq',
]);

const SENSOR_FILENAME = /^([^0-9]+)([0-9]*)(?:_(.+))?$/;
const INVALID_NAME_CHARS = /[^a-z0-9:_]/g;
const EDGE_UNDERSCORES = /^_+|_+$/g;
const EDGE_NEWLINES = /^\n+|\n+$/g;
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** node_exporter's cleanMetricName: lower case, [a-z0-9:_] only, no leading or trailing underscores. */
export function cleanHwmonName(raw: string): string {
  return raw.toLowerCase().replace(INVALID_NAME_CHARS, '_').replace(EDGE_UNDERSCORES, '');
}

export interface SensorFilename {
  /** "temp", "fan", "beep_enable"… */
  type: string;
  /** Sensor key: type plus number ("temp1"); the number is 0 where the file has none ("beep_enable0"). */
  sensor: string;
  /** What follows the first underscore after the number ("input", "crit_alarm"); "" for a bare file. */
  property: string;
}

/** Splits "temp1_crit_alarm" into type "temp", sensor "temp1", property "crit_alarm". */
export function explodeSensorFilename(filename: string): SensorFilename | undefined {
  const match = SENSOR_FILENAME.exec(filename);
  if (!match) return undefined;
  const [, type = '', digits = '', property = ''] = match;
  const num = digits === '' ? 0 : Number.parseInt(digits, 10);
  return { type, sensor: `${type}${num}`, property };
}

/** True for a file the hwmon collector reads: a sensor attribute of an allowlisted type. */
export function isSensorFile(filename: string): boolean {
  const parts = explodeSensorFilename(filename);
  return parts !== undefined && SENSOR_TYPES.has(parts.type);
}

/**
 * node_exporter's chip label before de-duplication: "<bus>_<device>" from the device link
 * (platform/coretemp.0 → "platform_coretemp_0"), else the `name` file, else the hwmonN directory.
 * The device path comes first because hwmonN numbers follow module load order and change across
 * boots, while two chips may share a name (two coretemp packages).
 */
export function chipBaseId(chip: ChipIdentity): string {
  if (chip.devicePath !== undefined) {
    const devName = cleanHwmonName(path.posix.basename(chip.devicePath));
    const devType = cleanHwmonName(path.posix.basename(path.posix.dirname(chip.devicePath)));
    if (devName !== '') return devType !== '' ? `${devType}_${devName}` : devName;
  }
  const name = cleanHwmonName(chip.name ?? '');
  return name !== '' ? name : cleanHwmonName(chip.dir);
}

/**
 * Chip labels unique within one scrape, as node_exporter does since it fixed duplicate series from
 * chips sharing a device (asus-nb-wmi, one Wi-Fi phy with several sensors): a shared id gets the
 * chip's name appended, or its hwmonN directory when the names clash too. Unique ids are left alone.
 */
export function assignChipIds(chips: readonly ChipIdentity[]): string[] {
  const bases = chips.map(chipBaseId);
  const byName = bases.map((base, i) => {
    const name = cleanHwmonName(chips[i]?.name ?? '');
    return name !== '' ? `${base}_${name}` : undefined;
  });
  return bases.map((base, i) => {
    if (countOf(bases, base) === 1) return base;
    const named = byName[i];
    if (named !== undefined && countOf(byName, named) === 1) return named;
    return `${base}_${cleanHwmonName(chips[i]?.dir ?? '')}`;
  });
}

function countOf<T>(values: readonly T[], value: T): number {
  return values.reduce((n, v) => (v === value ? n + 1 : n), 0);
}

/** Go's strconv.ParseFloat for what sysfs prints; undefined for anything else (node_exporter skips it). */
function parseSensorValue(raw: string): number | undefined {
  const text = raw.trim();
  return FLOAT.test(text) ? Number(text) : undefined;
}

const milli = (v: number): number => v * 0.001;
const micro = (v: number): number => v / 1_000_000;
const same = (v: number): number => v;

interface ElementFamily {
  name: string;
  help: string;
  counter?: true;
  convert: (v: number) => number;
}

/**
 * The family one sensor element goes to, mirroring node_exporter's chain of special cases (including
 * its quirks, e.g. `in0_lcrit_alarm` becomes `node_hwmon_in_lcrit_alarm_volts` scaled by 0.001), so
 * that series names and values match it exactly.
 */
function elementFamily(type: string, element: string, hasBareFile: boolean): ElementFamily {
  const prefix = `node_hwmon_${type}`;
  let name = prefix;
  if (element === 'input') {
    // A sensor with both "fan1" and "fan1_input" keeps the two apart.
    if (hasBareFile) name = `${prefix}_input`;
  } else if (element !== '') {
    name = `${prefix}_${cleanHwmonName(element)}`;
  }

  if (element === 'fault' || element === 'alarm') {
    return { name, help: `Hardware sensor ${element} status (${type})`, convert: same };
  }
  if (element === 'beep') {
    return { name: `${name}_enabled`, help: 'Hardware monitor sensor has beeping enabled', convert: same };
  }
  switch (type) {
    case 'in':
    case 'cpu':
      return { name: `${name}_volts`, help: `Hardware monitor for voltage (${element})`, convert: milli };
    case 'temp':
      if (element === 'type') break;
      return {
        name: `${name}_celsius`,
        help: `Hardware monitor for temperature (${element || 'input'})`,
        convert: milli,
      };
    case 'curr':
      return { name: `${name}_amps`, help: `Hardware monitor for current (${element})`, convert: milli };
    case 'energy':
      return {
        name: `${name}_joule_total`,
        help: `Hardware monitor for joules used so far (${element})`,
        counter: true,
        convert: micro,
      };
    case 'power':
      if (element === 'accuracy') {
        return { name, help: 'Hardware monitor power meter accuracy, as a ratio', convert: micro };
      }
      if (
        element === 'average_interval' ||
        element === 'average_interval_min' ||
        element === 'average_interval_max'
      ) {
        return {
          name: `${name}_seconds`,
          help: `Hardware monitor power usage update interval (${element})`,
          convert: milli,
        };
      }
      return {
        name: `${name}_watt`,
        help: `Hardware monitor for power usage in watts (${element})`,
        convert: micro,
      };
    case 'humidity':
      return {
        name,
        help: `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`,
        convert: micro,
      };
    case 'fan':
      if (element === 'input' || element === 'min' || element === 'max' || element === 'target') {
        return {
          name: `${name}_rpm`,
          help: `Hardware monitor for fan revolutions per minute (${element})`,
          convert: same,
        };
      }
      break;
    case 'freq':
      if (element === 'input') {
        return {
          name: `${name}_freq_mhz`,
          help: 'Hardware monitor for GPU frequency in MHz',
          convert: micro,
        };
      }
      break;
  }
  return { name, help: `Hardware monitor ${type} element ${element}`, convert: same };
}

const naturalOrder = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

interface Sensor {
  type: string;
  /** Property ("input", "label", "" for the bare file) → contents without the trailing newline. */
  props: Map<string, string>;
}

/** Groups a chip's attribute files by sensor: "temp1" → { input: "55000", label: "Core 0" }. */
function groupSensors(attributes: Map<string, string>): Map<string, Sensor> {
  const sensors = new Map<string, Sensor>();
  for (const [file, raw] of attributes) {
    const parts = explodeSensorFilename(file);
    if (!parts || !SENSOR_TYPES.has(parts.type)) continue;
    let sensor = sensors.get(parts.sensor);
    if (!sensor) {
      sensor = { type: parts.type, props: new Map() };
      sensors.set(parts.sensor, sensor);
    }
    sensor.props.set(parts.property, raw.replace(EDGE_NEWLINES, ''));
  }
  return sensors;
}

/** All `node_hwmon_*` families for the chips of one scrape. */
export function hwmonFamilies(chips: readonly HwmonChipFiles[]): MetricFamily[] {
  const out = new FamilyBuilder();
  const identities = chips.map(({ dir, devicePath, attributes }) => ({
    dir,
    devicePath,
    name: attributes.get('name'),
  }));
  const ids = assignChipIds(identities);
  const ordered = chips
    .map((chip, i) => ({ chip, id: ids[i] ?? chip.dir }))
    .sort((a, b) => naturalOrder(a.id, b.id));
  for (const { chip, id } of ordered) {
    const chipName = cleanHwmonName(chip.attributes.get('name') ?? '');
    if (chipName !== '') {
      out.gauge('node_hwmon_chip_names', 'Annotation metric for human-readable chip names', 1, {
        chip: id,
        chip_name: chipName,
      });
    }
    const sensors = [...groupSensors(chip.attributes)].sort(([a], [b]) => naturalOrder(a, b));
    for (const [sensor, readings] of sensors) addSensor(out, id, sensor, readings);
  }
  return out.build();
}

function addSensor(out: FamilyBuilder, chip: string, sensor: string, { type, props }: Sensor): void {
  const labels = { chip, sensor };
  const label = props.get('label');
  if (label !== undefined) {
    out.gauge('node_hwmon_sensor_label', 'Label for given chip and sensor', 1, { chip, sensor, label });
  }

  // Three types are single chip-wide values rather than sensors with elements.
  const bare = props.get('') ?? '';
  if (type === 'beep_enable') {
    out.gauge('node_hwmon_beep_enabled', 'Hardware beep enabled', bare === '1' ? 1 : 0, labels);
    return;
  }
  if (type === 'vrm' || type === 'update_interval') {
    const value = parseSensorValue(bare);
    if (value === undefined) return;
    if (type === 'vrm') {
      out.gauge('node_hwmon_voltage_regulator_version', 'Hardware voltage regulator', value, labels);
    } else {
      out.gauge(
        'node_hwmon_update_interval_seconds',
        'Hardware monitor update interval',
        milli(value),
        labels,
      );
    }
    return;
  }

  for (const element of [...props.keys()].sort(naturalOrder)) {
    if (element === 'label') continue;
    const value = parseSensorValue(props.get(element) ?? '');
    if (value === undefined) continue;
    const family = elementFamily(type, element, props.has(''));
    let sampleLabels = labels;
    if (type === 'freq' && element === 'input') {
      // node_exporter names GPU clocks by their label ("sclk", "mclk") and drops unlabelled ones.
      if (label === undefined) continue;
      sampleLabels = { chip, sensor: cleanHwmonName(label) };
    }
    out.add(
      family.name,
      family.help,
      family.counter ? 'counter' : 'gauge',
      family.convert(value),
      sampleLabels,
    );
  }
}
