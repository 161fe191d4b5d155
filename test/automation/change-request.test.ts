import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readChangeRequest, validateChangeRequest } from "../../automation/change-request";

const approvals = (...roles: string[]) => roles.map((role, i) => ({ role, by: `person${i}` }));
const base = { id: "CHG-1", risk: "medium", rollbackPlan: "weight to 0", approvals: approvals("technical-review", "qa", "product") };

describe("change requests", () => {
    it("accepts a complete medium-risk request", () => {
        const r = validateChangeRequest(base, "cr.yaml");
        assert.ok(r.ok);
        assert.equal(r.request.id, "CHG-1");
    });

    it("high risk needs operations too", () => {
        const r = validateChangeRequest({ ...base, risk: "high" }, "cr.yaml");
        assert.deepEqual(r.ok ? [] : r.problems, ["cr.yaml: approval by operations is missing (required for high risk)"]);
        assert.ok(validateChangeRequest({ ...base, risk: "high", approvals: approvals("technical-review", "qa", "product", "operations") }, "cr.yaml").ok);
    });

    it("names every missing item on its own line, prefixed by the file", () => {
        const r = validateChangeRequest({ risk: "extreme", approvals: [{ role: "qa" }] }, "cr.yaml");
        assert.ok(!r.ok);
        assert.deepEqual(r.problems, [
            "cr.yaml: id is missing (the change request id, e.g. CHG-1234)",
            'cr.yaml: risk "extreme" is not one of low | medium | high',
            "cr.yaml: rollbackPlan is missing",
            "cr.yaml: approvals[0] needs both role and by",
            "cr.yaml: approval by technical-review is missing",
            "cr.yaml: approval by qa is missing",
            "cr.yaml: approval by product is missing",
        ]);
    });

    it("reads YAML files and reports unreadable or invalid ones", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cr-"));
        const good = path.join(dir, "good.yaml");
        fs.writeFileSync(good, "id: CHG-9\nrisk: low\nrollbackPlan: revert\napprovals:\n  - {role: technical-review, by: a}\n  - {role: qa, by: b}\n  - {role: product, by: c}\n");
        assert.ok(readChangeRequest(good).ok);
        const bad = path.join(dir, "bad.yaml");
        fs.writeFileSync(bad, "id: [unclosed\n");
        const r = readChangeRequest(bad);
        assert.ok(!r.ok && /not valid YAML/.test(r.problems[0]) && r.problems[0].startsWith(bad));
        const missing = readChangeRequest(path.join(dir, "nope.yaml"));
        assert.ok(!missing.ok && /ENOENT/.test(missing.problems[0]));
        assert.ok(!validateChangeRequest("just text", "x.yaml").ok);
    });

    it("refuses what is not a mapping, with one problem naming the file", () => {
        const expected = ["x.yaml: must be a mapping with id, risk, rollbackPlan and approvals"];
        for (const doc of [undefined, null, "just text", 42, ["id", "CHG-1"]]) {
            const r = validateChangeRequest(doc, "x.yaml");
            assert.deepEqual(r.ok ? [] : r.problems, expected, JSON.stringify(doc));
        }
    });

    it("names a missing risk, missing approvals and approvals that are not a list", () => {
        const { risk: _r, ...noRisk } = base;
        assert.deepEqual(problems({ ...noRisk }), ["cr.yaml: risk is missing (low | medium | high)"]);
        const { approvals: _a, ...noApprovals } = base;
        assert.deepEqual(problems({ ...noApprovals }), [
            "cr.yaml: approvals is missing (a list of {role, by})",
            "cr.yaml: approval by technical-review is missing",
            "cr.yaml: approval by qa is missing",
            "cr.yaml: approval by product is missing",
        ]);
        assert.deepEqual(problems({ ...base, approvals: { role: "qa", by: "x" } }).slice(0, 1), ["cr.yaml: approvals must be a list of {role, by}"]);
    });

    it("treats blank text as missing and trims what it keeps", () => {
        assert.deepEqual(problems({ ...base, id: "   ", rollbackPlan: 7 }), ["cr.yaml: id is missing (the change request id, e.g. CHG-1234)", "cr.yaml: rollbackPlan is missing"]);
        assert.deepEqual(problems({ ...base, approvals: [...approvals("technical-review", "qa"), { role: "product", by: " " }] }),
            ["cr.yaml: approvals[2] needs both role and by", "cr.yaml: approval by product is missing"]);
        const r = validateChangeRequest({ ...base, id: " CHG-2 ", rollbackPlan: " weight to 0 ", approvals: [{ role: " technical-review ", by: " ann " }, ...approvals("qa", "product")] }, "cr.yaml");
        assert.ok(r.ok);
        assert.deepEqual(r.request, { id: "CHG-2", risk: "medium", rollbackPlan: "weight to 0", approvals: [{ role: "technical-review", by: "ann" }, ...approvals("qa", "product")] });
    });

    it("quotes the first line of a YAML error and the code of a read error", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cr-"));
        const bad = path.join(dir, "bad.yaml");
        fs.writeFileSync(bad, "id: [unclosed\n");
        const r = readChangeRequest(bad);
        assert.ok(!r.ok);
        assert.equal(r.problems.length, 1);
        assert.match(r.problems[0], new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid YAML: \\S`));
        assert.ok(!r.problems[0].includes("\n"), "one line");
        assert.ok(r.problems[0].length - `${bad}: not valid YAML: `.length > 10, "the whole first line of the parser's message");
        const missing = readChangeRequest(path.join(dir, "nope.yaml"));
        assert.deepEqual(missing.ok ? [] : missing.problems, [`${path.join(dir, "nope.yaml")}: cannot read the change request (ENOENT)`]);
    });
});

function problems(doc: unknown): string[] {
    const r = validateChangeRequest(doc, "cr.yaml");
    return r.ok ? [] : r.problems;
}
