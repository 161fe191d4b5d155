/**
 * The confused-deputy judge of resource-policy statements that grant an AWS service principal: a key
 * policy, a trust policy, an SNS topic policy. It follows the table of what AWS sends for each
 * integration (`config/service-integrations.ts`, a source per row), so it never demands a condition AWS
 * does not send, and it refuses one AWS documents it does not send (the condition never matches and the
 * integration silently fails: EventBridge publishing to an encrypted topic under `aws:SourceAccount`).
 *
 * For a service the table does not know, it keeps the safe default: some confused-deputy key is required
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html); if AWS sends none for it, the
 * fix is a row in the table with AWS's page, not a condition that cannot match.
 */
import { integrationsFor, sentKeys, type IntegrationPolicy } from "../config/service-integrations";
import { list } from "./common";

interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    Principal?: any;
    Condition?: Record<string, Record<string, any>>;
}

/** Keys that bind a service to a caller's resources (lower case); an encryption-context key binds too. */
const DEPUTY_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"];
const isDeputyKey = (k: string) => DEPUTY_KEYS.includes(k) || k.startsWith("kms:encryptioncontext:");

export function servicePrincipals(principal: any): string[] {
    return principal && typeof principal === "object" ? list(principal.Service).filter((x): x is string => typeof x === "string") : [];
}

/** The condition keys a statement tests, lower case, with whether the operator passes when the key is absent (`…IfExists`). */
function testedKeys(s: Statement): { key: string; ifExists: boolean }[] {
    return Object.entries(s.Condition ?? {}).flatMap(([op, block]) => (block && typeof block === "object"
        ? Object.keys(block).map((k) => ({ key: k.toLowerCase(), ifExists: /ifexists$/i.test(op) }))
        : []));
}

const label = (s: Statement, i: number) => (s.Sid ? `statement "${s.Sid}"` : `statement ${i}`);
const display = (k: string) =>
    k.replace(
        /^aws:source(arn|account|orgid|orgpaths)$/,
        (_m, x: string) => `aws:Source${{ arn: "Arn", account: "Account", orgid: "OrgID", orgpaths: "OrgPaths" }[x]}`,
    );

/**
 * Every problem with the service-principal statements of one policy document of kind `policy`,
 * `where` naming the document in messages (`Key policy`, `assumeRolePolicy`, `Topic policy`).
 */
export function serviceStatementProblems(statements: Statement[], policy: IntegrationPolicy, where: string): string[] {
    const problems: string[] = [];
    statements.forEach((s, i) => {
        if (s.Effect !== "Allow") return;
        const services = servicePrincipals(s.Principal);
        if (!services.length) return;
        const tested = testedKeys(s);
        const unknown: string[] = [];
        for (const service of services) {
            const rows = integrationsFor(service, policy, list(s.Action).filter((a): a is string => typeof a === "string"));
            if (!rows.length) {
                unknown.push(service);
                continue;
            }
            if (rows.some((r) => r.noConditions) && tested.length) {
                const r = rows.find((x) => x.noConditions)!;
                problems.push(
                    `${where} ${label(s, i)} grants ${service} with a Condition block: AWS supports none when ${r.what} (${r.source}); ` +
                    `the service is refused. Put ${service} in a statement of its own without conditions.`,
                );
                continue;
            }
            const sent = new Set(rows.flatMap(sentKeys));
            const notSent = new Set(rows.flatMap((r) => (r.notSent ?? []).map((k) => k.toLowerCase())));
            const never = tested.filter((t) => !t.ifExists && notSent.has(t.key)).map((t) => t.key);
            if (never.length) {
                const r = rows.find((x) => x.notSent?.length)!;
                problems.push(
                    `${where} ${label(s, i)} grants ${service} under ${[...new Set(never)].map(display).join(", ")}, which AWS does not ` +
                    `send when ${r.what} (${r.source}): the condition never matches and the service is refused. Put ${service} in a ` +
                    `statement of its own without that condition.`,
                );
                continue;
            }
            if (sent.size && !tested.some((t) => sent.has(t.key))) {
                const keys = [...sent].map(display);
                problems.push(
                    `${where} ${label(s, i)} trusts ${service} without ${keys.join(" or ")} (AWS sends ` +
                    `${keys.length > 1 ? "them" : "it"} when ${rows[0].what}): add the condition so the service acts only for this ` +
                    `account's resources.`,
                );
            }
        }
        if (unknown.length && !tested.some((t) => isDeputyKey(t.key))) {
            problems.push(
                `${where} ${label(s, i)} trusts ${unknown.join(", ")} without aws:SourceAccount or aws:SourceArn: add the condition so ` +
                `the service acts only for this account's resources (if AWS sends neither for this integration, add it to ` +
                `config/service-integrations.ts with AWS's page).`,
            );
        }
    });
    return problems;
}
