import { modelWatts } from '../model.ts';
import type { PowerProfile } from '../profiles.ts';

/** One observation: CPU utilisation (0–1) over an interval and the measured mean power over it. */
export interface PowerPoint {
  utilisation: number;
  watts: number;
}

export interface ModelError {
  /** Mean |model − measured|, watts. */
  meanAbsWatts: number;
  /** Largest |model − measured|, watts. */
  maxAbsWatts: number;
  /** Mean |model − measured| / measured. */
  meanAbsRatio: number;
}

export interface FittedProfile {
  idleWatts: number;
  maxWatts: number;
  /** Share of the measured variance the straight line explains. */
  r2: number;
  error: ModelError;
  points: number;
  /** Lowest and highest utilisation seen: a fit outside that range is an extrapolation. */
  utilisationRange: [number, number];
}

/**
 * Least-squares straight line through the points, P = idle + (max − idle)·u, read at u = 0 and 1.
 * Needs points spread over utilisation: a machine that idled all week says nothing about its maximum.
 */
export function fitLinearProfile(points: PowerPoint[], minSpread = 0.2): FittedProfile {
  if (points.length < 3) throw new Error(`need at least 3 points to fit a profile, got ${points.length}`);
  const us = points.map((p) => p.utilisation);
  const lo = Math.min(...us);
  const hi = Math.max(...us);
  if (hi - lo < minSpread)
    throw new Error(
      `utilisation only spans ${(lo * 100).toFixed(0)}–${(hi * 100).toFixed(0)} %: too little to tell idle from full load (need ${minSpread * 100} points of spread; drive load steps instead)`,
    );
  const n = points.length;
  const meanU = us.reduce((a, b) => a + b, 0) / n;
  const meanW = points.reduce((a, p) => a + p.watts, 0) / n;
  let sUU = 0;
  let sUW = 0;
  let sWW = 0;
  for (const p of points) {
    sUU += (p.utilisation - meanU) ** 2;
    sUW += (p.utilisation - meanU) * (p.watts - meanW);
    sWW += (p.watts - meanW) ** 2;
  }
  const slope = sUW / sUU;
  const idleWatts = meanW - slope * meanU;
  const maxWatts = idleWatts + slope;
  const profile: PowerProfile = { idleWatts, maxWatts, source: 'fit' };
  return {
    idleWatts,
    maxWatts,
    r2: sWW === 0 ? 1 : (sUW * sUW) / (sUU * sWW),
    error: modelError(profile, points),
    points: n,
    utilisationRange: [lo, hi],
  };
}

/** How far a profile's model is from the measured points. */
export function modelError(profile: PowerProfile, points: PowerPoint[]): ModelError {
  let sumAbs = 0;
  let maxAbs = 0;
  let sumRatio = 0;
  for (const p of points) {
    const diff = Math.abs(modelWatts(profile, p.utilisation) - p.watts);
    sumAbs += diff;
    maxAbs = Math.max(maxAbs, diff);
    sumRatio += p.watts > 0 ? diff / p.watts : 0;
  }
  return {
    meanAbsWatts: sumAbs / points.length,
    maxAbsWatts: maxAbs,
    meanAbsRatio: sumRatio / points.length,
  };
}
