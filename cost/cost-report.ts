/**
 * What the cost model answers (cost/costs.ts: computeCosts). Plain data, serialised as is by
 * `tierwise advise --json`, the collector's /api/costs and the weekly report.
 */

/** A stretch of the window with no power data for a machine (never filled with zero). */
export interface Gap {
  start: number;
  end: number;
}

export type Verdict = 'earns-its-place' | 'mostly-idle-consolidate' | 'power-off-off-hours' | 'no-data';

export interface MachineCost {
  name: string;
  tier: string;
  /** Share of the window with power data, 0–1. */
  coverage: number;
  gaps: Gap[];
  power_source?: string;
  /** Over the covered steps only: a gap adds nothing (see coverage). */
  energy_kwh: number;
  /** min(idle watts, P) integrated: its idle draw, before any sharing out. */
  idle_kwh: number;
  /** energy_kwh − idle_kwh: GPU and CPU shares plus unattributed. */
  dynamic_kwh: number;
  /** Dynamic energy at steps where no workload used CPU (or none had data): kept, not dropped. */
  unattributed_kwh: number;
  /** ∫ P(t)·price(t) dt over the samples. */
  energy_cost: number;
  /** Purchase price less salvage over its lifetime, plus upkeep, for the window's length. */
  amortisation: number;
  total_cost: number;
  carbon_kg?: number;
  /** Mean CPU work / capacity (normally 0–1), over the steps with workload CPU data; 0 without any. */
  utilisation: number;
  /** total_cost per score-core-hour of work done; undefined when it did none. */
  cost_per_work_unit?: number;
  verdict: Verdict;
  /** One sentence for a person. */
  reason: string;
}

export interface WorkloadCost {
  name: string;
  kind: string;
  namespace?: string;
  machine: string;
  /** Dynamic energy by CPU share, and by GPU share. */
  cpu_kwh: number;
  gpu_kwh: number;
  /** Its share of its machine's idle energy under options.idle_share (0 with 'none'). */
  idle_kwh: number;
  energy_kwh: number;
  energy_cost: number;
}

export interface CostReport {
  window: { start: number; end: number; hours: number };
  currency: string;
  /**
   * Share of machine-time with power data, 0–1, each machine weighted by its energy: its mean measured
   * power, or the mid-point of its idle and max watts where it has no data.
   */
  coverage: number;
  /** 'low' when coverage is under options.min_coverage: figures are shown but not to be trusted. */
  confidence: 'ok' | 'low';
  machines: MachineCost[];
  workloads: WorkloadCost[];
  /**
   * Per machine, the idle energy not shared out to workloads. With `unattributed`, the identity holds per
   * machine: Σ its workloads + idle + unattributed = its energy.
   */
  idle: { machine: string; kwh: number; cost: number }[];
  /** Per machine that has any, the dynamic energy no workload's CPU data could take. */
  unattributed: { machine: string; kwh: number; cost: number }[];
  totals: {
    energy_kwh: number;
    energy_cost: number;
    standing_charge: number;
    amortisation: number;
    /** energy_cost + standing_charge + amortisation. */
    total_cost: number;
    /**
     * Where the tariff has an export price: the most own generation could take off energy_cost, every kWh
     * from one's own panels costing the export income forgone instead of the import price. A bound, not
     * subtracted from total_cost (the scenario has no generation series to say how much really was).
     */
    export_offset?: number;
    /** Where the tariff gives a carbon intensity for the whole window. */
    carbon_kg?: number;
  };
  warnings: string[];
}
