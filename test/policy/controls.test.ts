/**
 * L3 specification: the controls table (tools/policy/controls.ts) against the pack. A control of an applicable
 * service must be mapped (to existing policies, or to a written reason), and the policies' own `control`
 * metadata must agree with the table both ways.
 */
import { strict as assert } from "assert";
import { allControls, controlIds, controlsPage, CONTROLS, coverage, MODULE_SERVICES, SERVICES } from "../../tools/policy/controls";
import type { Service } from "../../tools/policy/controls";
import { policies, policyByName } from "../../policy/policies";

const TAG_POLICY = "required-tags";

describe("controls table", () => {
    const controls = allControls();

    it("lists controls of every applicable service, ids unique, in numeric order, with AWS-style titles", () => {
        assert.deepEqual(Object.keys(CONTROLS).sort(), Object.keys(SERVICES).sort());
        for (const service of Object.keys(CONTROLS) as Service[]) {
            const ids = CONTROLS[service].map((c) => c.id);
            assert.ok(ids.length > 0, service);
            for (const id of ids) assert.match(id, new RegExp(`^${service}\\.\\d+$`), id);
            const numbers = ids.map((id) => Number(id.split(".")[1]));
            assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), `${service} ids in order`);
            assert.equal(new Set(ids).size, ids.length, `${service} ids unique`);
        }
        for (const c of controls) assert.match(c.title, /^[A-Z].{15,}[^.]$/, c.id);
        assert.equal(controlsPage("ELB"), "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html");
    });

    it("maps every control to existing policies or to a written reason", () => {
        const unmapped = controls.filter((c) => c.mapping.kind === "policy"
            ? c.mapping.policies.length === 0 || c.mapping.policies.some((p) => !policyByName(p))
            : c.mapping.reason.trim().length < 20);
        assert.deepEqual(unmapped.map((c) => c.id), []);
    });

    it("agrees with each mapped policy's control metadata (tagging controls go to required-tags)", () => {
        const disagreements: string[] = [];
        for (const c of controls) {
            if (c.mapping.kind !== "policy") continue;
            for (const name of c.mapping.policies) {
                const tagControl = / should be tagged$/.test(c.title);
                if (tagControl ? name !== TAG_POLICY : !controlIds(policyByName(name)!.metadata.control).includes(c.id)) {
                    disagreements.push(`${c.id} → ${name}`);
                }
            }
        }
        assert.deepEqual(disagreements, []);
    });

    it("knows every control a policy names, and maps it to that policy", () => {
        const byId = new Map(controls.map((c) => [c.id, c]));
        const wrong: string[] = [];
        for (const p of policies) {
            for (const id of controlIds(p.metadata.control)) {
                const c = byId.get(id);
                if (!c) wrong.push(`${p.name}: ${id} is not in the table`);
                else if (c.mapping.kind !== "policy" || !c.mapping.policies.includes(p.name)) wrong.push(`${p.name}: ${id} is not mapped to it`);
            }
        }
        assert.deepEqual(wrong, []);
    });

    it("enforces with a policy every control that is neither not applicable nor delegated, and counts them", () => {
        const c = coverage();
        assert.equal(c.total, controls.length);
        assert.equal(c.policy + c["not-applicable"] + c.delegated, c.total);
        assert.ok(c.policy > c.delegated, JSON.stringify(c));
        // Each of these controls was once a defect of the program; each has its policy in the table.
        for (const id of ["EC2.2", "EC2.15", "WAF.11", "CloudFront.1", "DocumentDB.4", "ECR.1", "ECR.2", "ECR.3", "ElastiCache.6"]) {
            assert.equal(controls.find((x) => x.id === id)?.mapping.kind, "policy", id);
        }
    });

    it("reads control ids from policy metadata, ignoring CIS numbers and parentheses", () => {
        assert.deepEqual(controlIds("FSBP EC2.2, CIS v1.4.0 5.3"), ["EC2.2"]);
        assert.deepEqual(controlIds("FSBP CloudFront.9, CloudFront.10"), ["CloudFront.9", "CloudFront.10"]);
        assert.deepEqual(controlIds("CIS 1.10, FSBP IAM.5"), ["IAM.5"]);
        assert.deepEqual(controlIds("FSBP CloudWatch.15 (review finding: DocumentDB.4)"), ["CloudWatch.15"]);
        assert.deepEqual(controlIds("FSBP SSM (naming)"), []);
    });

    it("maps every AWS module to services of the table", () => {
        for (const services of Object.values(MODULE_SERVICES)) for (const s of services) assert.ok(CONTROLS[s], s);
    });
});
