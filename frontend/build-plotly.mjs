// Builds static/vendor/plotly-custom.min.js (and its .gz sibling): plotly.js core with only
// the traces the app draws. The report uses scatterpolar; the regional dashboard uses bar,
// heatmap and box. Adding a chart of another type means adding its trace here and rebuilding.
//
// Run with `make frontend` or `npm --prefix frontend ci && npm --prefix frontend run build`.
// Versions are pinned in package-lock.json, so the same inputs give the same file.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants as zlib } from "node:zlib";

import { build } from "esbuild";

export const TRACES = ["scatterpolar", "bar", "heatmap", "box"];

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.resolve(here, "..", "static", "vendor", "plotly-custom.min.js");
const require = createRequire(import.meta.url);
const plotlyVersion = JSON.parse(readFileSync(require.resolve("plotly.js/package.json"), "utf8")).version;

// The entry module is generated rather than committed so the trace list lives in one place.
const entry = [
  "var Plotly = require('plotly.js/lib/core');",
  `Plotly.register([${TRACES.map((t) => `require('plotly.js/lib/${t}')`).join(", ")}]);`,
  "module.exports = Plotly;",
].join("\n");

const result = await build({
  stdin: { contents: entry, resolveDir: here, sourcefile: "plotly-custom-entry.js", loader: "js" },
  bundle: true,
  format: "iife",
  globalName: "Plotly",
  minify: true,
  legalComments: "none",
  target: "es2018",
  // The same settings plotly.js uses for its own dist bundles (esbuild-config.js).
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  alias: { stream: "stream-browserify" },
  // The only stylesheet plotly.js imports is maplibre's, for map traces, which are not here.
  loader: { ".css": "empty" },
  banner: { js: `/*! plotly.js v${plotlyVersion} (MIT), custom bundle: core + ${TRACES.join(", ")} */` },
  write: false,
  logLevel: "warning",
});

const code = Buffer.from(result.outputFiles[0].contents);
// Level 9 and no file name or time stamp in the header: rebuilding gives the same bytes.
const gzipped = gzipSync(code, { level: zlib.Z_BEST_COMPRESSION });
mkdirSync(path.dirname(outfile), { recursive: true });
writeFileSync(outfile, code);
writeFileSync(`${outfile}.gz`, gzipped);

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`${path.relative(process.cwd(), outfile)}: ${kB(code.length)} raw, ${kB(gzipped.length)} gzipped`);
