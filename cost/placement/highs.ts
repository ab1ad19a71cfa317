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

export function loadHighs(): Promise<Highs> {
  const load =
    loading ??
    highsLoader().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  loading = load;
  return load;
}
