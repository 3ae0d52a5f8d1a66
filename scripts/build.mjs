// Bundle the CLI and the library into dist/ with every dependency inlined, so
// the published package has zero runtime dependencies. Templates and presets
// ship as files next to dist/.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.12',
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  minify: true,
  // yaml's Node entry is CommonJS, which esbuild cannot tree-shake; its ESM
  // build is the same code and lets the bundle drop what init never calls.
  alias: { yaml: './node_modules/yaml/browser/index.js' },
  define: { __PYCONFINE_VERSION__: JSON.stringify(pkg.version) },
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __pyconfineCreateRequire } from 'node:module'; const require = __pyconfineCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: { cli: 'src/cli/bin.ts', index: 'src/index.ts' } });
console.log(`built dist/ for pyconfine ${pkg.version}`);
