import type { PowerProfile } from './profiles.ts';

/**
 * P = P_idle + (P_max − P_idle) · f(u): the profile's power at CPU utilisation u (0–1, busy time over
 * all cores), f a straight line or the profile's curve, joined linearly between its points.
 */
export function modelWatts(profile: PowerProfile, utilisation: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  return profile.idleWatts + (profile.maxWatts - profile.idleWatts) * shape(profile.curve ?? [], u);
}

function shape(curve: ReadonlyArray<readonly [number, number]>, u: number): number {
  const points: (readonly [number, number])[] = [[0, 0], ...curve, [1, 1]];
  for (let i = 1; i < points.length; i++) {
    const [u1, f1] = points[i] as readonly [number, number];
    const [u0, f0] = points[i - 1] as readonly [number, number];
    if (u <= u1) return u1 === u0 ? f1 : f0 + ((f1 - f0) * (u - u0)) / (u1 - u0);
  }
  return 1;
}
