import v8 from 'node:v8';
import highsModule, { type Highs } from 'highs';

// highs ships an ES module whose default export is the loader (build/highs.mjs), but declares its
// types as CommonJS, so TypeScript sees that loader one level down.
const highsLoader = highsModule as unknown as typeof highsModule.default;

/**
 * The HiGHS solver, compiled to WebAssembly, loaded once per process: each load compiles 3.5 MB of
 * WebAssembly. It reads highs.wasm beside its loader: node_modules/highs/build from source, and
 * dist/highs.wasm beside the bundle (scripts/build.mjs). A failed load is not cached, so the next plan
 * tries again.
 */
let loading: Promise<Highs> | undefined;

/**
 * V8 compiles WebAssembly twice by default: a quick baseline (Liftoff) at load, then optimised code
 * (TurboFan) for the functions that run hot, and keeps both. For HiGHS the second copy and its compiler's
 * memory were 80–90 MiB of a 50-machine weekly report's peak; with the baseline code alone the solver
 * takes about 1.5× as long per step and the placement benchmark still meets its targets
 * (docs/benchmarks.md). V8 reads the flag when a module is compiled, so it is set here, in the
 * processes that plan, before the solver's module is.
 */
const BASELINE_WASM_ONLY = '--liftoff-only';

/**
 * Starts compiling the solver while the caller waits on something else (Prometheus): the plan then does
 * not wait for it, and the compiler's scratch memory is given back before the scenario's series take
 * theirs (the 50-machine report's peak stopped varying by 35 MiB from run to run, docs/benchmarks.md).
 * A failure is left for the plan to meet: a failed load is not cached.
 */
export function warmUpSolver(): void {
  loadHighs().catch(() => {});
}

export function loadHighs(): Promise<Highs> {
  if (!loading) v8.setFlagsFromString(BASELINE_WASM_ONLY);
  const load =
    loading ??
    highsLoader().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  loading = load;
  return load;
}
