/**
 * L3: every resource policy on its cases (resource-cases.ts): the compliant resource passes, and each
 * fault, which changes one thing, raises exactly the listed violations of that policy.
 */
import * as assert from "assert";
import { resourcePolicies } from "../../policy/policies";
import { resourceMessages } from "./helpers";
import { resourceCases } from "./resource-cases";

describe("resource policies", () => {
    it("every resource policy has a case, every case a fault, and no case names an unknown policy", () => {
        const covered = new Set(resourceCases.map(c => c.policy));
        assert.deepStrictEqual(resourcePolicies.map(p => p.name).filter(n => !covered.has(n)), []);
        assert.deepStrictEqual([...covered].filter(n => !resourcePolicies.some(p => p.name === n)), []);
        assert.deepStrictEqual(resourceCases.filter(c => c.faults.length === 0).map(c => c.policy), []);
    });

    for (const c of resourceCases) {
        describe(`${c.policy} on ${c.type.split(":").pop()}`, () => {
            it("accepts the compliant resource", () => {
                assert.deepStrictEqual(resourceMessages(c.policy, { type: c.type, name: c.name, stack: c.stack, props: c.compliant }, c.config), []);
            });
            for (const f of c.faults) {
                it(f.expect.length ? `reports ${f.title}` : `accepts ${f.title}`, () => {
                    const got = resourceMessages(c.policy, { type: c.type, name: f.name ?? c.name, stack: f.stack ?? c.stack, props: f.props }, f.config ?? c.config);
                    assert.deepStrictEqual(got, f.expect);
                });
            }
        });
    }

    it("ignores resources of other types", () => {
        for (const c of resourceCases) {
            for (const f of c.faults) assert.deepStrictEqual(resourceMessages(c.policy, { type: "aws:sns/topicSubscription:TopicSubscription", props: f.props }), [], c.policy);
        }
    });
});
