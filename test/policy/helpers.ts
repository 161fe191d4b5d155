/** Test helpers: run one policy by name over an input built with tools/policy/args.ts. */
import {
    createResourceValidationArgs, createStackValidationArgs, makeUrn, ResourceInput, runResourcePolicy, runStackPolicy,
    StackResourceInput,
} from "../../tools/policy/args";
import type { PolicyConfig } from "../../policy/common";
import { policyByName } from "../../policy/policies";

export function resourceMessages(policyName: string, input: ResourceInput, config: PolicyConfig = {}): string[] {
    const policy = policyByName(policyName);
    if (!policy || policy.kind !== "resource") throw new Error(`no resource policy ${policyName}`);
    return runResourcePolicy(policy, createResourceValidationArgs(input, config)).map(v => v.message);
}

export function stackViolations(policyName: string, inputs: StackResourceInput[], config: PolicyConfig = {}) {
    const policy = policyByName(policyName);
    if (!policy || policy.kind !== "stack") throw new Error(`no stack policy ${policyName}`);
    return runStackPolicy(policy, createStackValidationArgs(inputs, config));
}

/** A stack resource with a URN in the given stack. */
export function res(type: string, name: string, props: Record<string, any>, extra: Partial<StackResourceInput> = {}, stack = "dev"): StackResourceInput {
    return { type, name, props, urn: makeUrn(type, name, stack), stack, ...extra };
}
