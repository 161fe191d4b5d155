/**
 * A fault plan for the fake provider plugins (the chaos suite's, or a person's trying the rollout): a JSON
 * file named by `TMS_FAULT_PLAN` listing faults to inject into matching creates and updates.
 *
 *   [{ "op": "update", "type": "aws:lb/listenerRule:ListenerRule", "name": "-origin-rule$",
 *      "action": "fail" | "hang" | "throttle", "times": 1, "message": "…" }]
 *
 * - `op`: create or update; `type`, `name`: regular expressions over the resource's type and name;
 * - `fail`: the operation fails with `message`; `throttle`: fails as AWS's throttling does
 *   (`ThrottlingException: Rate exceeded`); `hang`: never answers (a stuck API call: the update waits
 *   until it is killed);
 * - `times`: how many matching operations the fault hits (default 1), counted across the provider
 *   processes of every `pulumi up` in `<plan>.hits` (one line per hit).
 */
import * as fs from "fs";

export interface Fault {
    op: "create" | "update";
    type?: string;
    name?: string;
    action: "fail" | "hang" | "throttle";
    times?: number;
    message?: string;
}

/** The faults of the plan file, validated (a bad plan fails every operation, naming the problem). Pure but for the read. */
export function readFaultPlan(file: string): Fault[] {
    const plan = JSON.parse(fs.readFileSync(file, "utf8")) as Fault[];
    if (!Array.isArray(plan)) throw new Error(`${file}: a fault plan is a JSON array`);
    plan.forEach((f, i) => {
        if (!["create", "update"].includes(f.op)) throw new Error(`${file}: [${i}].op: expected "create" or "update"`);
        if (!["fail", "hang", "throttle"].includes(f.action)) throw new Error(`${file}: [${i}].action: expected "fail", "hang" or "throttle"`);
    });
    return plan;
}

/** The fault of `plan` that hits this operation, if any, given how often each one already hit. Pure. */
export function matchFault(plan: Fault[], hits: number[], op: "create" | "update", type: string, name: string): number | null {
    for (let i = 0; i < plan.length; i++) {
        const f = plan[i];
        if (f.op !== op || (f.type && !new RegExp(f.type).test(type)) || (f.name && !new RegExp(f.name).test(name))) continue;
        if ((hits[i] ?? 0) < (f.times ?? 1)) return i;
    }
    return null;
}

/** Called by the fake provider before a create or update: throws, hangs, or returns. */
export async function injectFault(op: "create" | "update", type: string, name: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
    const file = env.TMS_FAULT_PLAN;
    if (!file || !fs.existsSync(file)) return;
    const plan = readFaultPlan(file);
    const hitsFile = `${file}.hits`;
    const counted = fs.existsSync(hitsFile) ? fs.readFileSync(hitsFile, "utf8").split("\n").filter(Boolean).map(Number) : [];
    const hits: number[] = [];
    for (const i of counted) hits[i] = (hits[i] ?? 0) + 1;
    const i = matchFault(plan, hits, op, type, name);
    if (i === null) return;
    fs.appendFileSync(hitsFile, `${i}\n`);
    const f = plan[i];
    if (f.action === "hang") await new Promise<never>(() => undefined);
    if (f.action === "throttle") throw new Error(`${op === "create" ? "creating" : "updating"} ${type} (${name}): ThrottlingException: Rate exceeded`);
    throw new Error(f.message ?? `${op === "create" ? "creating" : "updating"} ${type} (${name}): injected failure`);
}
