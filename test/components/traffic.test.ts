import { strict as assert } from "assert";
import { candidateForward, weightedForward } from "../../components/traffic";
import { plan, Plan, planWith, publicForward, STACKS } from "../harness";
import type { RecordedResource } from "../../tools/record";

const LISTENER = "aws:lb/listener:Listener";
const RULE = "aws:lb/listenerRule:ListenerRule";
const HOSTS = {
    dev: "dev.taskmanagement.example.com",
    staging: "staging.taskmanagement.example.com",
    prod: "taskmanagement.example.com",
    dr: "dr.taskmanagement.example.com",
} as const;
/** The name the test listener is reached by: the ALB's own (never the CDN's). */
const ALB_NAMES = { ...HOSTS, prod: "alb.taskmanagement.example.com" } as const;

function listener(p: Plan, port: number): RecordedResource {
    const l = p.ofType(LISTENER).find((x) => x.inputs.port === port);
    assert.ok(l, `listener on ${port}`);
    return l;
}

/** Weight per colour of the HTTPS listener's forward action, read through the target groups' names. */
function weights(p: Plan): Record<string, number> {
    const action = publicForward(p);
    const tgByArn = new Map(p.ofType("aws:lb/targetGroup:TargetGroup").map((t) => [t.outputs.arn, t]));
    if (action.targetGroupArn) return { [tgByArn.get(action.targetGroupArn)!.inputs.tags.Colour]: 100 };
    return Object.fromEntries(action.forward.targetGroups.map((g: any) => [tgByArn.get(g.arn)!.inputs.tags.Colour, g.weight]));
}

describe("traffic", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            before(async () => { p = await plan(stack); });

            it("builds an internet-facing ALB in the public subnets with the guide's protections", () => {
                const alb = p.one("aws:lb/loadBalancer:LoadBalancer");
                assert.equal(alb.inputs.internal, false);
                assert.deepEqual(alb.inputs.subnets, p.outputs.publicSubnetIds);
                assert.equal(alb.inputs.dropInvalidHeaderFields, true);
                assert.equal(alb.inputs.desyncMitigationMode, "defensive");
                assert.equal(alb.inputs.accessLogs.enabled, true);
                assert.equal(alb.inputs.enableDeletionProtection, stack === "prod" || stack === "dr");
            });

            it("redirects HTTP to HTTPS and serves HTTPS with a TLS 1.3 policy and a validated certificate", () => {
                const http = listener(p, 80);
                assert.deepEqual(http.inputs.defaultActions, [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
                const https = listener(p, 443);
                assert.equal(https.inputs.protocol, "HTTPS");
                assert.match(https.inputs.sslPolicy, /^ELBSecurityPolicy-TLS13-/);
                const validated = p.one("aws:acm/certificateValidation:CertificateValidation", "tms-traffic-certificate-validated");
                assert.ok(p.dependsOn(https, "certificateArn", validated));
                const cert = p.one("aws:acm/certificate:Certificate", "tms-traffic-certificate");
                assert.equal(cert.inputs.domainName, HOSTS[stack]);
                assert.equal(cert.inputs.validationMethod, "DNS");
                const names = [cert.inputs.domainName, ...(cert.inputs.subjectAlternativeNames ?? [])];
                const validations = p.ofType("aws:route53/record:Record").filter((r) => r.name.startsWith("tms-traffic-certificate-validation"));
                // dr's origin name is validated by prod's record (one owner per record in the shared account: test/components/dns.test.ts).
                assert.equal(validations.length, stack === "dr" ? names.length - 1 : names.length);
            });

            it("gives each public service a blue and a green IP target group with the guide's health check", () => {
                const tgs = p.ofType("aws:lb/targetGroup:TargetGroup");
                assert.deepEqual(tgs.map((t) => t.inputs.tags.Colour).sort(), stack === "dev" ? ["blue"] : ["blue", "green"]);
                for (const t of tgs) {
                    assert.equal(t.inputs.targetType, "ip");
                    assert.equal(t.inputs.port, 5000);
                    assert.deepEqual(
                        [t.inputs.healthCheck.path, t.inputs.healthCheck.interval, t.inputs.healthCheck.timeout, t.inputs.healthCheck.unhealthyThreshold],
                        ["/health", 30, 5, 2],
                    );
                }
            });

            it("sends 100% to the live colour at weight 0 and the test listener to the candidate", () => {
                assert.deepEqual(weights(p), stack === "dev" ? { blue: 100 } : { blue: 100, green: 0 });
                const test = listener(p, 8443);
                assert.equal(test.inputs.protocol, "HTTPS");
                const tg = p.ofType("aws:lb/targetGroup:TargetGroup").find((t) => t.outputs.arn === test.inputs.defaultActions[0].targetGroupArn)!;
                assert.equal(tg.inputs.tags.Colour, stack === "dev" ? "blue" : "green");
            });

            it(stack === "prod" ? "leaves the host name to the CDN and gives the ALB a name of its own" : "points the environment's host name at the ALB", () => {
                const alias = p.one("aws:route53/record:Record", stack === "prod" ? "tms-cdn-alias" : "tms-traffic-alias");
                assert.equal(alias.inputs.name, HOSTS[stack]);
                assert.equal(alias.inputs.type, "A");
                const target = stack === "prod"
                    ? p.one("aws:cloudfront/distribution:Distribution").outputs.domainName
                    : p.one("aws:lb/loadBalancer:LoadBalancer").outputs.dnsName;
                assert.equal(alias.inputs.aliases[0].name, target);
                // The test listener's name: an alias to the ALB that its certificate covers.
                const albAlias = p.ofType("aws:route53/record:Record").find((r) => r.inputs.name === ALB_NAMES[stack] && r.inputs.type === "A" && !r.inputs.failoverRoutingPolicies)!;
                assert.equal(albAlias.inputs.aliases[0].name, p.one("aws:lb/loadBalancer:LoadBalancer").outputs.dnsName);
                const cert = p.one("aws:acm/certificate:Certificate", "tms-traffic-certificate");
                assert.ok([cert.inputs.domainName, ...cert.inputs.subjectAlternativeNames].includes(ALB_NAMES[stack]));
            });

            it(stack === "prod" || stack === "dr" ? "answers 403 unless the CDN's secret header is present, /health excepted" : "forwards without an origin header", () => {
                const https = listener(p, 443);
                const rules = p.ofType(RULE).filter((r) => p.dependsOn(r, "listenerArn", https));
                if (stack !== "prod" && stack !== "dr") {
                    assert.equal(https.inputs.defaultActions[0].type, "forward");
                    return assert.equal(rules.length, 0);
                }
                assert.deepEqual(https.inputs.defaultActions[0], { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } });
                const origin = rules.find((r) => r.name.endsWith("-origin-rule"))!;
                const header = origin.inputs.conditions[0].httpHeader;
                assert.equal(header.httpHeaderName, "X-Origin-Verify");
                assert.ok(header.values[0].length >= 32);
                assert.ok(p.result.secretInputs[origin.urn]?.some((path) => path.startsWith("conditions")), "the header value is a secret");
                const health = rules.find((r) => r.name.endsWith("-health-rule"))!;
                assert.deepEqual(health.inputs.conditions, [{ pathPattern: { values: ["/health"] } }]);
            });

            it("exports what the rollout scripts read", () => {
                const o = p.outputs;
                assert.equal(o.liveColour, "blue");
                assert.equal(o.weight, 0);
                assert.match(o.loadBalancerArnSuffix, /^app\/[^/]+\/[0-9a-f]+$/);
                for (const colour of stack === "dev" ? ["blue"] : ["blue", "green"]) {
                    assert.match(o.targetGroupArnSuffixes["api-gateway"][colour], /^targetgroup\//);
                }
                const https = listener(p, 443);
                const expected = stack === "prod" || stack === "dr"
                    ? p.ofType(RULE).filter((r) => p.dependsOn(r, "listenerArn", https)).map((r) => r.urn)
                    : [https.urn];
                assert.deepEqual([...o.weightListenerUrns].sort(), [...expected].sort());
                assert.equal(o.testListenerUrl, `https://${ALB_NAMES[stack]}:8443`);
                assert.ok(o.images.blue["api-gateway"]);
                assert.equal(o.clusterName, `task-management-${stack}`);
            });
        });
    }

    it("routes extra public services by path with weighted rules on both listeners", async () => {
        const p = await planWith("staging", (c) => {
            c["tms:services"]["task-service"].public = true;
            c["tms:services"]["task-service"].pathPatterns = ["/tasks/*"];
            c["tms:deployment"].weight = 30;
            c["tms:deployment"].green.running = true;
        });
        const rules = p.ofType(RULE);
        assert.equal(rules.length, 2);
        const weighted = rules.find((r) => r.name.endsWith("task-service-rule"))!;
        assert.deepEqual(weighted.inputs.conditions, [{ pathPattern: { values: ["/tasks/*"] } }]);
        assert.deepEqual(weighted.inputs.actions[0].forward.targetGroups.map((g: any) => g.weight), [70, 30]);
        assert.deepEqual(p.outputs.weightListenerUrns.sort(), [listener(p, 443).urn, weighted.urn].sort());
    });

    it("weightedForward and candidateForward follow the live colour", () => {
        const arns = { blue: "b", green: "g" };
        assert.deepEqual(weightedForward(arns, ["blue", "green"], "green", 10).forward!.targetGroups, [{ arn: "b", weight: 10 }, { arn: "g", weight: 90 }]);
        assert.deepEqual(candidateForward(arns, ["blue", "green"], "green"), { type: "forward", targetGroupArn: "b" });
        assert.deepEqual(weightedForward({ blue: "b" }, ["blue"], "blue", 0), { type: "forward", targetGroupArn: "b" });
    });
});
