// Bundles the whole CLI (agent included) into one ES module that runs with plain `node` on any
// tier, a Raspberry Pi without npm among them: copy dist/tierwise.mjs over and run it.
import { copyFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * ssh2 tries optional native addons (its AES-GCM binding, cpu-features) inside try/catch and falls
 * back to Node's own crypto without them. A single-file bundle cannot carry a .node file built for one
 * machine, so each is replaced by a module that throws, which takes ssh2's fallback on every tier.
 */
const nativeAddonsAbsent = {
  name: 'native-addons-absent',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, namespace: 'native-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'native-addon' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`native addon ${args.path} is not bundled`)});`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: ['cli/entry.ts'],
  outfile: 'dist/tierwise.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'linked',
  // Bundled CommonJS dependencies call require() for Node built-ins, and ssh2 reads __dirname.
  banner: {
    js: [
      "import { createRequire as __twCreateRequire } from 'node:module';",
      "import { fileURLToPath as __twFileURLToPath } from 'node:url';",
      'const require = __twCreateRequire(import.meta.url);',
      'const __filename = __twFileURLToPath(import.meta.url);',
      "const __dirname = __twFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  plugins: [nativeAddonsAbsent],
  logLevel: 'warning',
});

// The placement solver's WebAssembly (3.5 MB) sits beside the bundle, where the bundled highs loader
// looks for it (new URL('highs.wasm', import.meta.url)). Embedding it in the bundle instead would put
// 4.7 MB more source text on every agent's heap: with the Pi flags (--max-old-space-size=24) the agent
// then runs out of memory at start. Only `tierwise advise` and the collector need it; without it they
// report the greedy plan and say why.
copyFileSync('node_modules/highs/build/highs.wasm', 'dist/highs.wasm');
