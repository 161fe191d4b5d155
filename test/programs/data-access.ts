/**
 * Test program: the real EnvironmentStack, exporting what `DataTier.forService` returns for every
 * service (the compute tier's view of the data tier) instead of the stack's outputs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../components/config";
import { EnvironmentStack } from "../../components/environment";
import { defaultTags } from "../../components/naming";

const stack = pulumi.getStack();
const config = loadStackConfig(pulumi.runtime.allConfig(), `Pulumi.${stack}.yaml`, stack);
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: defaultTags(config) } });
const env = new EnvironmentStack("tms", { config }, { providers: { aws: provider } });

let unknownService = "accepted";
try {
    env.data.forService("no-such-service");
} catch (e) {
    unknownService = (e as Error).message;
}

module.exports = {
    access: Object.fromEntries(config.services.map((s) => [s.name, env.data.forService(s.name)])),
    unknownService,
};
