/**
 * Real-engine timings for `npm run bench`: in a new offline sandbox, for each stack (dr after prod, which
 * it references), the wall time of `pulumi preview`, `pulumi up` and a second, no-change `pulumi preview`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensurePulumiCli } from "./pulumi-cli";
import { prepareSandbox } from "./sandbox";

export interface EngineTiming {
    stack: string;
    resources: number;
    previewS: number;
    upS: number;
    noChangePreviewS: number;
}

export async function engineTimings(stacks = ["dev", "staging", "prod", "dr"], log: (l: string) => void = () => undefined): Promise<{ version: string; rows: EngineTiming[] }> {
    const cli = ensurePulumiCli(log);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-engine-bench-"));
    try {
        const sb = prepareSandbox(dir, cli);
        const timed = (args: string[]) => {
            const started = Date.now();
            const r = sb.run(args);
            if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status}:\n${(r.stdout + r.stderr).slice(-3000)}`);
            return { seconds: +((Date.now() - started) / 1000).toFixed(1), out: r.stdout };
        };
        const rows: EngineTiming[] = [];
        for (const stack of stacks) {
            log(`real engine: ${stack}`);
            timed(["stack", "init", stack]);
            const preview = timed(["preview", "--stack", stack]);
            const up = timed(["up", "--stack", stack, "--yes", "--skip-preview"]);
            const again = timed(["preview", "--stack", stack]);
            rows.push({ stack, resources: Number(up.out.match(/\+ (\d+) created/)?.[1] ?? 0), previewS: preview.seconds, upS: up.seconds, noChangePreviewS: again.seconds });
        }
        return { version: cli.version, rows };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
