/**
 * Change requests (guide, "Change Management"): a YAML file a prod rollout must name with
 * `--change-request FILE`. Validation lists every problem, one line each, prefixed by the file
 * name, so a CI log shows all of them at once instead of one per attempt.
 *
 * ```yaml
 * id: CHG-1234
 * risk: medium            # low | medium | high
 * rollbackPlan: weight back to 0; restore the predeploy snapshot if the migration broke data
 * approvals:
 *   - { role: technical-review, by: alice }
 *   - { role: qa, by: bob }
 *   - { role: product, by: carol }
 *   - { role: operations, by: dave }   # required when risk is high
 * ```
 */
import * as fs from "fs";
import YAML from "yaml";

export const RISKS = ["low", "medium", "high"] as const;
export type Risk = (typeof RISKS)[number];

export interface Approval {
    role: string;
    by: string;
}

export interface ChangeRequest {
    id: string;
    risk: Risk;
    rollbackPlan: string;
    approvals: Approval[];
}

/** Roles whose approval every change needs; `operations` joins them for high risk. */
export const REQUIRED_ROLES = ["technical-review", "qa", "product"] as const;
export const HIGH_RISK_ROLE = "operations";

export function requiredRoles(risk: Risk): string[] {
    return risk === "high" ? [...REQUIRED_ROLES, HIGH_RISK_ROLE] : [...REQUIRED_ROLES];
}

/** `unreadable`: the file could not be read or is not YAML (bad input), as opposed to a readable request that is incomplete (a refusal). */
export type ChangeRequestResult =
    { ok: true; request: ChangeRequest; source: string } | { ok: false; problems: string[]; source: string; unreadable?: true };

const text = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

/** Validate a parsed document. Pure. */
export function validateChangeRequest(doc: unknown, source: string): ChangeRequestResult {
    const problems: string[] = [];
    const p = (msg: string) => problems.push(`${source}: ${msg}`);
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
        return { ok: false, source, problems: [`${source}: must be a mapping with id, risk, rollbackPlan and approvals`] };
    }
    const d = doc as Record<string, unknown>;
    if (!text(d.id)) p("id is missing (the change request id, e.g. CHG-1234)");
    const riskOk = RISKS.includes(d.risk as Risk);
    if (d.risk === undefined) p(`risk is missing (${RISKS.join(" | ")})`);
    else if (!riskOk) p(`risk ${JSON.stringify(d.risk)} is not one of ${RISKS.join(" | ")}`);
    if (!text(d.rollbackPlan)) p("rollbackPlan is missing");
    const approvals: Approval[] = [];
    if (d.approvals === undefined) p("approvals is missing (a list of {role, by})");
    else if (!Array.isArray(d.approvals)) p("approvals must be a list of {role, by}");
    else {
        d.approvals.forEach((a, i) => {
            const item = (a ?? {}) as Record<string, unknown>;
            if (!text(item.role) || !text(item.by)) p(`approvals[${i}] needs both role and by`);
            else approvals.push({ role: item.role.trim(), by: item.by.trim() });
        });
    }
    const roles = new Set(approvals.map((a) => a.role));
    // With an unreadable risk, check the base roles only: the risk line already says what is wrong.
    for (const role of requiredRoles(riskOk ? (d.risk as Risk) : "low")) {
        if (!roles.has(role)) p(`approval by ${role} is missing${role === HIGH_RISK_ROLE ? " (required for high risk)" : ""}`);
    }
    if (problems.length) return { ok: false, source, problems };
    return {
        ok: true,
        source,
        request: { id: (d.id as string).trim(), risk: d.risk as Risk, rollbackPlan: (d.rollbackPlan as string).trim(), approvals },
    };
}

/** Read and validate a change request file; unreadable or non-YAML files are problems too. */
export function readChangeRequest(file: string): ChangeRequestResult {
    let raw: string;
    try {
        raw = fs.readFileSync(file, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return {
            ok: false,
            source: file,
            unreadable: true,
            problems: [`${file}: cannot read the change request (${err.code ?? err.message})`],
        };
    }
    let doc: unknown;
    try {
        doc = YAML.parse(raw);
    } catch (e) {
        const first = String((e as Error).message).split("\n")[0];
        return { ok: false, source: file, unreadable: true, problems: [`${file}: not valid YAML: ${first}`] };
    }
    return validateChangeRequest(doc, file);
}
