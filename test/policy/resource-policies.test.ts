import * as assert from "assert";
import { resourcePolicies } from "../../policy/policies";
import { resourceMessages } from "./helpers";
import { resourceCases } from "./resource-cases";

describe("resource policies", () => {
    it("every resource policy has a compliant and a violating case", () => {
        const covered = new Set(resourceCases.map(c => c.policy));
        const missing = resourcePolicies.map(p => p.name).filter(n => !covered.has(n));
        assert.deepStrictEqual(missing, []);
        const unknown = [...covered].filter(n => !resourcePolicies.some(p => p.name === n));
        assert.deepStrictEqual(unknown, []);
    });

    for (const c of resourceCases) {
        describe(`${c.policy}: ${c.title}`, () => {
            it("accepts the compliant input", () => {
                const got = resourceMessages(c.policy, { type: c.type, name: c.name, stack: c.stack, props: c.compliant }, c.config);
                assert.deepStrictEqual(got, []);
            });
            it("reports the violating input", () => {
                const got = resourceMessages(c.policy, { type: c.type, name: c.violatingName ?? c.name, stack: c.stack, props: c.violating }, c.config);
                assert.ok(got.some(m => c.expect.test(m)), `expected a message matching ${c.expect}, got ${JSON.stringify(got)}`);
            });
        });
    }

    it("ignores resources of other types", () => {
        const violating = resourceCases[0].violating;
        assert.deepStrictEqual(resourceMessages(resourceCases[0].policy, { type: "aws:sns/topic:Topic", props: violating }), []);
    });
});
