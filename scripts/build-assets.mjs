// Copies the front-end libraries installed from the npm registry into static/vendor/,
// where Django's static files finder picks them up. Nothing is fetched at run time, so the
// app works on a closed network. A minified file that names its source map is copied with it:
// the production static storage (ManifestStaticFilesStorage) follows every sourceMappingURL and
// refuses to build when the file it names is missing.
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["node_modules/chart.js/dist/chart.umd.min.js.map", "chart.umd.min.js.map"],
];

mkdirSync(vendor, { recursive: true });
for (const [source, target] of files) {
  const from = join(root, source);
  if (!existsSync(from)) {
    console.error(`missing ${source}: run "npm ci" first`);
    process.exit(1);
  }
  copyFileSync(from, join(vendor, target));
  console.log(`static/vendor/${target} <- ${source}`);
}
