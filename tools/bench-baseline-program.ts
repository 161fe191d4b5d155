/**
 * The benchmark's baseline program: `bench:count` plain AWS resources with a few inputs each, under
 * the same mock engine as the real program, so the plan's per-resource cost can be compared with the
 * engine's own.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const count = new pulumi.Config("bench").requireNumber("count");
for (let i = 0; i < count; i++) {
    new aws.ssm.Parameter(`plain-${i}`, { name: `/bench/plain-${i}`, type: "String", value: String(i), tags: { Service: "bench" } });
}
