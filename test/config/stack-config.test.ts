import { strict as assert } from "assert";
import { ConfigError, loadStackConfig, StackConfig } from "../../config/stack-config";
import { ProgramError, runProgram } from "../../tools/mock-engine";
import { flattenConfig, stackConfig, STACKS } from "../harness";

function load(stack: string, change: (c: Record<string, any>) => void = () => undefined): StackConfig {
    const cfg = stackConfig(stack);
    change(cfg);
    return loadStackConfig(flattenConfig(cfg), `Pulumi.${stack}.yaml`, stack);
}

function problems(stack: string, change: (c: Record<string, any>) => void): string[] {
    try {
        load(stack, change);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.lines;
    }
    assert.fail("config was accepted");
}

describe("stack config", () => {
    describe("the four shipped stack files load with the guide's values", () => {
        const expected = {
            dev: { region: "us-east-1", replicas: 2, cpu: 2048, memory: 4096, docdb: ["db.t3.medium", 3], redis: ["cache.t3.small", 3], backup: 3, strategy: "rolling", host: "dev.taskmanagement.example.com" },
            staging: { region: "us-east-1", replicas: 3, cpu: 2048, memory: 8192, docdb: ["db.r6g.large", 3], redis: ["cache.t3.medium", 3], backup: 7, strategy: "blue-green", host: "staging.taskmanagement.example.com" },
            prod: { region: "us-east-1", replicas: 6, cpu: 4096, memory: 16384, docdb: ["db.r5.large", 5], redis: ["cache.m5.large", 5], backup: 30, strategy: "canary", host: "taskmanagement.example.com" },
            dr: { region: "us-west-2", replicas: 4, cpu: 2048, memory: 8192, docdb: ["db.r5.large", 3], redis: ["cache.m5.large", 3], backup: 30, strategy: "canary", host: "dr.taskmanagement.example.com" },
        } as const;
        for (const stack of STACKS) {
            it(stack, () => {
                const c = load(stack);
                const e = expected[stack];
                assert.equal(c.environment, stack);
                assert.equal(c.region, e.region);
                assert.deepEqual(c.services.map((s) => s.desiredCount), [e.replicas, e.replicas]);
                assert.ok(c.services.every((s) => s.cpu === e.cpu && s.memory === e.memory));
                assert.deepEqual([c.database.instanceClass, c.database.instances], e.docdb);
                assert.deepEqual([c.cache.nodeType, c.cache.nodes], e.redis);
                assert.equal(c.database.backupRetentionDays, e.backup);
                assert.equal(c.deployment.strategy, e.strategy);
                assert.equal(c.domain.hostName, e.host);
                assert.deepEqual(c.registry.retentionDays, { dev: 14, staging: 30, prod: 90 });
                assert.equal(c.dr.rtoMinutes, 60);
                assert.equal(c.dr.rpoMinutes, 5);
                assert.deepEqual(c.deployment.colours, stack === "dev" ? ["blue"] : ["blue", "green"]);
                assert.deepEqual(c.rolloutSettings.steps.map((x) => x.weight), stack === "dev" ? [] : stack === "staging" ? [50, 100] : [10, 30, 50, 100]);
                assert.deepEqual(c.services[0].migrationCommand, ["python", "manage.py", "migrate", "--database", "mongodb"]);
            });
        }
        it("dr reads prod through tms:primaryStack and joins the global cluster", () => {
            const c = load("dr");
            assert.equal(c.primaryStack, "organization/tms/prod");
            assert.equal(c.database.globalCluster, "secondary");
            assert.equal(load("prod").database.globalCluster, "primary");
        });
    });

    describe("invalid configs fail naming the file, the key and the reason", () => {
        const cases: [string, string, (c: Record<string, any>) => void, RegExp][] = [
            ["DocumentDB class that does not exist", "prod", (c) => { c["tms:database"].instanceClass = "db.t3.large"; },
                /^Pulumi\.prod\.yaml: tms:database\.instanceClass: "db\.t3\.large" is not a DocumentDB instance class \(db\.t3\.medium, /],
            ["ElastiCache node type", "prod", (c) => { c["tms:cache"].nodeType = "cache.m5.huge"; },
                /^Pulumi\.prod\.yaml: tms:cache\.nodeType: "cache\.m5\.huge" is not an ElastiCache node type/],
            ["Fargate CPU/memory pair", "staging", (c) => { c["tms:compute"].memory = 3000; },
                /^Pulumi\.staging\.yaml: tms:compute\.memory: 3000 is not a valid Fargate memory size for 2048 CPU units \(4096–16384 MiB/],
            ["Fargate CPU size", "dev", (c) => { c["tms:compute"].cpu = 3000; },
                /^Pulumi\.dev\.yaml: tms:compute\.memory: 3000 CPU units is not a Fargate CPU size/],
            ["weight above 100", "prod", (c) => { c["tms:deployment"].weight = 120; },
                /^Pulumi\.prod\.yaml: tms:deployment\.weight: 120 must be a whole number from 0 to 100$/],
            ["weight with the rolling strategy", "dev", (c) => { c["tms:deployment"].weight = 10; },
                /^Pulumi\.dev\.yaml: tms:deployment\.weight: 10 must be 0 with the rolling strategy/],
            ["region", "prod", (c) => { c["aws:region"] = "us-east-9"; },
                /^Pulumi\.prod\.yaml: aws:region: "us-east-9" is not an AWS region$/],
            ["DNS name", "prod", (c) => { c["tms:domain"].hostName = "bad_host..example"; },
                /^Pulumi\.prod\.yaml: tms:domain\.hostName: "bad_host\.\.example" is not a valid DNS name$/],
            ["unknown key (typo)", "prod", (c) => { c["tms:database"].instanceClas = "db.r5.large"; },
                /^Pulumi\.prod\.yaml: tms:database\.instanceClas: is not a known setting/],
            ["unknown top-level key", "prod", (c) => { c["tms:databse"] = {}; },
                /^Pulumi\.prod\.yaml: tms:databse: is not a known setting/],
            ["missing required section", "staging", (c) => { delete c["tms:cache"]; },
                /^Pulumi\.staging\.yaml: tms:cache: is required$/],
            ["strategy", "staging", (c) => { c["tms:deployment"].strategy = "big-bang"; },
                /^Pulumi\.staging\.yaml: tms:deployment\.strategy: "big-bang" is not a deployment strategy \(rolling, blue-green, canary\)$/],
            ["live colour", "prod", (c) => { c["tms:deployment"].live = "red"; },
                /^Pulumi\.prod\.yaml: tms:deployment\.live: "red" is not a colour \(blue, green\)$/],
            ["candidate not running while it gets traffic", "prod", (c) => { c["tms:deployment"].weight = 10; },
                /^Pulumi\.prod\.yaml: tms:deployment\.green\.running: must be true while tms:deployment\.weight \(10\) sends it traffic$/],
            ["image missing for a running colour", "prod", (c) => { delete c["tms:deployment"].blue.images["task-service"]; },
                /^Pulumi\.prod\.yaml: tms:deployment\.blue\.images\.task-service: is required: colour blue is running$/],
            ["backup retention out of range", "prod", (c) => { c["tms:database"].backupRetentionDays = 40; },
                /^Pulumi\.prod\.yaml: tms:database\.backupRetentionDays: 40 must be a whole number from 1 to 35$/],
            ["maintenance window syntax", "prod", (c) => { c["tms:database"].preferredMaintenanceWindow = "tuesday 2am"; },
                /^Pulumi\.prod\.yaml: tms:database\.preferredMaintenanceWindow: "tuesday 2am" is not a weekly window/],
            ["backup window overlapping maintenance", "prod", (c) => { c["tms:database"].preferredBackupWindow = "07:30-08:30"; },
                /^Pulumi\.prod\.yaml: tms:database\.preferredBackupWindow: "07:30-08:30" overlaps the maintenance window tue:07:00-tue:08:00$/],
            ["log retention not accepted by CloudWatch", "prod", (c) => { c["tms:monitoring"].logRetentionDays = 100; },
                /^Pulumi\.prod\.yaml: tms:monitoring\.logRetentionDays: 100 is not a CloudWatch Logs retention period/],
            ["CIDR", "prod", (c) => { c["tms:traffic"].testListenerCidrs = ["10.0.0.0/33"]; },
                /^Pulumi\.prod\.yaml: tms:traffic\.testListenerCidrs\[0\]: "10\.0\.0\.0\/33" is not an IPv4 CIDR block/],
            ["dr without primaryStack", "dr", (c) => { delete c["tms:primaryStack"]; },
                /^Pulumi\.dr\.yaml: tms:primaryStack: is required when tms:dr\.role is secondary/],
            ["dr outside its region", "dr", (c) => { c["aws:region"] = "us-east-1"; },
                /^Pulumi\.dr\.yaml: aws:region: "us-east-1" must equal tms:dr\.region \(us-west-2\)/],
            ["service calling an unknown service", "prod", (c) => { c["tms:services"]["api-gateway"].calls = ["user-service"]; },
                /^Pulumi\.prod\.yaml: tms:services\.api-gateway\.calls: "user-service" is not a service defined in tms:services$/],
            ["replicas below the environment minimum", "prod", (c) => { c["tms:compute"].desiredCount = 4; },
                /^Pulumi\.prod\.yaml: tms:compute\.desiredCount: 4 is below tms:compute\.minimumCount 6$/],
            ["TLS policy that is not TLS 1.3", "prod", (c) => { c["tms:traffic"].sslPolicy = "ELBSecurityPolicy-2016-08"; },
                /^Pulumi\.prod\.yaml: tms:traffic\.sslPolicy: "ELBSecurityPolicy-2016-08" must be a TLS 1\.3 ELB security policy/],
            ["rollout override the engine rejects", "prod", (c) => { c["tms:rollout"] = { analysis: { minErrors: -1 } }; },
                /^Pulumi\.prod\.yaml: tms:rollout\.analysis\.minErrors: /],
            ["a CDN without an origin name", "staging", (c) => { c["tms:cdn"].enabled = true; },
                /^Pulumi\.staging\.yaml: tms:cdn\.enabled: needs tms:domain\.originName/],
            ["a CDN in the dr stack", "dr", (c) => { c["tms:cdn"].enabled = true; },
                /^Pulumi\.dr\.yaml: tms:cdn\.enabled: must be false in the dr stack/],
            ["a CDN without a name of the ALB's own for the test listener", "prod", (c) => { delete c["tms:domain"].albName; },
                /^Pulumi\.prod\.yaml: tms:domain\.albName: is required when tms:cdn\.enabled is true: the host name points at CloudFront, which serves ports 80 and 443 only/],
            ["an ALB name that is the failover name", "prod", (c) => { c["tms:domain"].albName = "origin.taskmanagement.example.com"; },
                /^Pulumi\.prod\.yaml: tms:domain\.albName: "origin\.taskmanagement\.example\.com" is already the failover \(origin\) name; the ALB needs a name of its own$/],
            ["an ALB name that is the CDN's host name", "prod", (c) => { c["tms:domain"].albName = "taskmanagement.example.com"; },
                /^Pulumi\.prod\.yaml: tms:domain\.albName: "taskmanagement\.example\.com" is already the CDN's host name/],
            ["an ALB name outside the zone", "staging", (c) => { c["tms:domain"].albName = "alb.example.org"; },
                /^Pulumi\.staging\.yaml: tms:domain\.albName: "alb\.example\.org" is not inside zone staging\.taskmanagement\.example\.com$/],
            ["dev in prod's zone (its own account cannot hold it: certificates would never validate)", "dev", (c) => { c["tms:domain"].zoneName = "taskmanagement.example.com"; delete c["tms:domain"].delegatedFrom; },
                /^Pulumi\.dev\.yaml: tms:domain\.delegatedFrom: is required: dev runs in an AWS account of its own, where "taskmanagement\.example\.com" cannot be the product's zone .* use a sub-zone such as "dev\.taskmanagement\.example\.com" delegated from it$/],
            ["a zone that is not a sub-zone of the zone it is delegated from", "staging", (c) => { c["tms:domain"].delegatedFrom = "example.org"; },
                /^Pulumi\.staging\.yaml: tms:domain\.zoneName: "staging\.taskmanagement\.example\.com" is not a sub-zone of tms:domain\.delegatedFrom \(example\.org\)$/],
            ["wrong value type", "prod", (c) => { c["tms:database"].instances = "five"; },
                /^Pulumi\.prod\.yaml: tms:database\.instances: "five" must be a whole number from 1 to 16$/],
        ];
        for (const [what, stack, change, pattern] of cases) {
            it(what, () => {
                const lines = problems(stack, change);
                assert.ok(lines.some((l) => pattern.test(l)), `no line matched ${pattern}:\n${lines.join("\n")}`);
            });
        }

        it("reports every problem, one line each", () => {
            const lines = problems("prod", (c) => {
                c["tms:database"].instanceClass = "db.t3.large";
                c["tms:cache"].nodes = 9;
                c["tms:deployment"].weight = -1;
            });
            assert.equal(lines.length, 3, lines.join("\n"));
            assert.ok(lines.every((l) => l.startsWith("Pulumi.prod.yaml: tms:")));
        });
    });

    it("the program registers nothing but the root stack when the config is bad", async () => {
        const cfg = stackConfig("prod");
        cfg["tms:database"].instanceClass = "db.t3.large";
        await assert.rejects(runProgram({ stack: "prod", config: flattenConfig(cfg) }), (e: any) => {
            assert.ok(e instanceof ProgramError);
            assert.match(e.message, /Pulumi\.prod\.yaml: tms:database\.instanceClass: "db\.t3\.large" is not a DocumentDB instance class/);
            // The root stack may or may not have finished registering; nothing else may exist.
            assert.deepEqual(e.resources.map((r: any) => r.type).filter((t: string) => t !== "pulumi:pulumi:Stack"), []);
            return true;
        });
    });
});
