/**
 * The fake AWS: the one module that answers for AWS wherever the tools and tests run without it (the
 * mock engine of `npm run plan` and the tests, the offline sandbox's fake provider plugins, the DR
 * runbook's SDK clients). One concern per file:
 *
 * - facts.ts: the table of facts (ForceNew, defaults, validations, what AWS stores back, what it
 *   refuses), each with its source; schema.ts and provider-schema.json: the part read from
 *   terraform-provider-aws's source (provider-schema.ts regenerates it: `npm run fake-aws:schema`);
 * - aws.ts: how one resource is checked, stored and diffed, from the facts;
 * - ids.ts: ids, ARNs, endpoints and data-source answers; awsx-vpc.ts: what `awsx.ec2.Vpc` lays out;
 * - account.ts: the accounts' memory on disk (stored state, unique and reserved names, revisions);
 * - elb.ts: the ELBv2 read calls answered from a stack's exported state;
 * - outage.ts: a region that does not answer, and SSM parameters written outside the engine;
 * - faults.ts: a fault plan (fail, hang, throttle) for creates and updates;
 * - dr-world.ts: the AWS the DR runbook talks to, behind the real SDK clients.
 *
 * Tests import it from here. The modules that run in every provider process and every plan
 * (tools/sandbox/fake-provider.ts, tools/mock-engine.ts) import the one file they need, so that a
 * start does not load the DR world's SDK clients.
 */
export * from "./facts";
export * from "./schema";
export * from "./aws";
export * from "./ids";
export * from "./awsx-vpc";
export * from "./account";
export * from "./elb";
export * from "./outage";
export * from "./faults";
export * from "./dr-world";
