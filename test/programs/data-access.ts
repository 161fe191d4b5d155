/**
 * Test program: the real EnvironmentStack, exporting what `DataTier.forService` returns for every
 * service (the compute tier's view of the data tier) instead of the stack's outputs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "../../config/stack-config";
import { EnvironmentStack } from "../../components/environment";
import { defaultTags } from "../../config/naming";
import { readPrimaryStack } from "../../components/primary";

export = async () => {
    const stack = pulumi.getStack();
    const source = `Pulumi.${stack}.yaml`;
    const config = loadStackConfig(pulumi.runtime.allConfig(), source, stack);
    const primary = config.primaryStack ? await readPrimaryStack(source, config.primaryStack) : undefined;
    const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: defaultTags(config) } });
    const env = new EnvironmentStack("tms", { config, primary }, { providers: { aws: provider } });

    let unknownService = "accepted";
    try {
        env.data.forService("no-such-service");
    } catch (e) {
        unknownService = (e as Error).message;
    }
    return {
        access: Object.fromEntries(config.services.map((s) => [s.name, env.data.forService(s.name)])),
        unknownService,
    };
};
