// Copies the pinned front-end libraries from node_modules into static/vendor.
// Run after `npm ci` whenever package.json changes; commit the output.
// Neither the site nor its tests need Node: they use the committed copies.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const out = join(root, "static", "vendor");
mkdirSync(out, { recursive: true });

const version = (name) => JSON.parse(readFileSync(join(modules, name, "package.json"))).version;
const copy = (from, to) => copyFileSync(join(modules, from), join(out, to));

copy("echarts/dist/echarts.min.js", "echarts.min.js");
copy("echarts/i18n/langKO.js", "echarts-lang-ko.js");
copy("echarts/LICENSE", "echarts.LICENSE.txt");
copy("htmx.org/dist/htmx.min.js", "htmx.min.js");
copy("htmx.org/LICENSE", "htmx.LICENSE.txt");
copy("world-atlas/LICENSE", "world-atlas.LICENSE.txt");

// World countries as GeoJSON for ECharts' map series. The 1:50m atlas keeps
// small partner countries (Singapore, Israel) that the 1:110m one drops;
// coordinates are rounded to 0.01 degree (about 1 km) to keep the file small.
// Each feature's name is its ISO 3166-1 numeric code, which the pages map
// from the partners' alpha-2 codes.
const topology = JSON.parse(readFileSync(join(modules, "world-atlas", "countries-50m.json")));
const countries = feature(topology, topology.objects.countries);
const round = (c) => (typeof c[0] === "number" ? c.map((v) => Math.round(v * 100) / 100) : c.map(round));
const features = countries.features
  .filter((f) => f.id && f.id !== "010") // Antarctica hides nothing of interest and takes a fifth of the map
  .map((f) => ({
    type: "Feature",
    properties: { name: f.id },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) },
  }));
writeFileSync(join(out, "world-countries.json"), JSON.stringify({ type: "FeatureCollection", features }));

const manifest = {
  "echarts": version("echarts"),
  "htmx.org": version("htmx.org"),
  "world-atlas": `${version("world-atlas")} (countries-50m, as GeoJSON)`,
};
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log("vendored", manifest);
