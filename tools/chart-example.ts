/**
 * Writes the example chart of a rolled-back canary (tools/sim/example-record.ts) to
 * docs/images/rolled-back-canary.svg, and a PNG of it rendered with resvg and the DejaVu Sans font
 * from the dev dependencies (for viewers that show no SVG).
 *
 *   npm run docs:chart
 */
import * as fs from "fs";
import * as path from "path";
import { renderSvg } from "../automation/record";
import { exampleRolledBackCanary } from "./sim/example-record";
import { readFlags, Stop, type CommandSpec } from "../cli/flags";
import { runMain } from "../cli/run-main";

export const EXAMPLE_SVG = path.join(__dirname, "..", "docs", "images", "rolled-back-canary.svg");
export const EXAMPLE_PNG = EXAMPLE_SVG.replace(/\.svg$/, ".png");
export const CHART_FONT = path.join(__dirname, "..", "node_modules", "dejavu-fonts-ttf", "ttf", "DejaVuSans.ttf");

const CHART_FLAGS = {
    command: "npm run docs:chart --",
    synopsis: [""],
    summary: "Render the example chart of a rolled-back canary into docs/images/ (SVG and PNG).",
    flags: {},
    exitCodes: { ok: "written", error: "bad input or a failure" },
} satisfies CommandSpec;

/** The chart as a PNG (resvg, the bundled DejaVu Sans only: the same pixels on every machine). */
export function renderPng(svg: string, scale = 1): { png: Buffer; width: number; height: number; pixels: Buffer } {
    // Loaded here: resvg is a dev dependency, the record writer must not need it.
    const { Resvg } = require("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
    const r = new Resvg(svg, {
        fitTo: { mode: "zoom", value: scale },
        font: { fontFiles: [CHART_FONT], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
    });
    const img = r.render();
    return { png: img.asPng(), width: img.width, height: img.height, pixels: img.pixels };
}

export async function main(argv: string[]): Promise<number> {
    const args = readFlags(CHART_FLAGS, argv, { out: console.log, err: console.error }, () => null);
    if (args instanceof Stop) return args.exitCode;
    const svg = renderSvg(await exampleRolledBackCanary());
    fs.mkdirSync(path.dirname(EXAMPLE_SVG), { recursive: true });
    fs.writeFileSync(EXAMPLE_SVG, svg);
    fs.writeFileSync(EXAMPLE_PNG, renderPng(svg, 1.5).png);
    console.log(`wrote ${path.relative(process.cwd(), EXAMPLE_SVG)} and ${path.relative(process.cwd(), EXAMPLE_PNG)}`);
    return 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
