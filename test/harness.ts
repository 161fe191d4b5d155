/**
 * Test harness: runs the real index.ts under Pulumi's mock engine with a shipped stack file's config
 * (optionally changed by the test) and gives the recorded resources and outputs to assert on.
 * Plans are cached per (stack, config), so test files can ask for the same plan freely.
 */
import { planStack, runProgram, RunResult } from "../tools/mock-engine";
import type { RecordedResource } from "../tools/record";
import { readStackFile, stackFilePath } from "../cli/stack-file";
import { parseConfigValue } from "../config/stack-config";

export const STACKS = ["dev", "staging", "prod", "dr"] as const;
export type StackName = (typeof STACKS)[number];

/** A shipped stack file's config as plain objects (`tms:database` → { instanceClass: … }). */
export function stackConfig(stack: string): Record<string, any> {
    const file = readStackFile(stackFilePath(stack));
    return Object.fromEntries(Object.entries(file.config).map(([k, v]) => [k, parseConfigValue(v)]));
}

/** Flatten plain config objects back to the runtime's string map. */
export function flattenConfig(cfg: Record<string, any>): Record<string, string> {
    return Object.fromEntries(Object.entries(cfg).filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export class Plan {
    constructor(readonly result: RunResult) {}
    get resources(): RecordedResource[] { return this.result.resources; }
    get outputs(): Record<string, any> { return this.result.outputs; }
    ofType(...types: string[]): RecordedResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }
    /** The one resource of `type` whose name ends with `suffix`; throws naming the candidates otherwise. */
    one(type: string, suffix = ""): RecordedResource {
        const found = this.ofType(type).filter((r) => r.name.endsWith(suffix));
        if (found.length !== 1) {
            throw new Error(`expected one ${type} named *${suffix}, found ${found.length}: ${this.ofType(type).map((r) => r.name).join(", ")}`);
        }
        return found[0];
    }
    byUrn(urn: string): RecordedResource {
        const r = this.resources.find((x) => x.urn === urn);
        if (!r) throw new Error(`no resource ${urn}`);
        return r;
    }
    childrenOf(r: RecordedResource): RecordedResource[] {
        return this.resources.filter((x) => x.parent === r.urn);
    }
    /** Resources whose `prop` input was computed from `target`'s outputs. */
    dependsOn(r: RecordedResource, prop: string, target: RecordedResource): boolean {
        return (r.propertyDependencies[prop] ?? []).includes(target.urn);
    }
}

const cache = new Map<string, Promise<Plan>>();

/** Plan a shipped stack as it is. */
export function plan(stack: StackName | string): Promise<Plan> {
    const key = `${stack}|`;
    if (!cache.has(key)) cache.set(key, planStack(stack).then((r) => new Plan(r)));
    return cache.get(key)!;
}

/**
 * Plan a shipped stack with its config changed by `change` (which edits plain objects in place).
 * `stackReferences` answers StackReference names (default: plan the referenced shipped stack).
 */
export function planWith(
    stack: StackName | string,
    change: (cfg: Record<string, any>) => void,
    stackReferences?: Record<string, Record<string, any> | undefined>,
): Promise<Plan> {
    const cfg = stackConfig(stack);
    change(cfg);
    const config = flattenConfig(cfg);
    const key = `${stack}|${JSON.stringify(config)}|${JSON.stringify(stackReferences ?? null)}`;
    if (!cache.has(key)) cache.set(key, runProgram({ stack, config, stackReferences }).then((r) => new Plan(r)));
    return cache.get(key)!;
}

/**
 * The weighted forward action public traffic takes: the HTTPS listener's default action, or, behind
 * the CDN (the listener answers 403 without the origin header), the origin-header rule's action.
 */
export function publicForward(p: Plan): any {
    const https = p.ofType("aws:lb/listener:Listener").find((l) => l.inputs.port === 443)!;
    const action = https.inputs.defaultActions[0];
    if (action.type !== "fixed-response") return action;
    return p.one("aws:lb/listenerRule:ListenerRule", "-origin-rule").inputs.actions[0];
}

/** Parse a JSON-string input (IAM policies, container definitions). */
export function json(v: unknown): any {
    return typeof v === "string" ? JSON.parse(v) : v;
}
