// Bundles the whole CLI (agent included) into one ES module that runs with plain `node` on any
// tier, a Raspberry Pi without npm among them: copy dist/tierwise.mjs over and run it.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/entry.ts'],
  outfile: 'dist/tierwise.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: false,
  legalComments: 'linked',
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
