/**
 * The stack program: load and validate the stack config (nothing is registered if it is bad),
 * create the AWS provider with the default tags, build one EnvironmentStack, export its outputs.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./components/config";
import { EnvironmentStack } from "./components/environment";
import { defaultTags } from "./components/naming";

function loadConfig() {
    const stack = pulumi.getStack();
    try {
        return loadStackConfig(pulumi.runtime.allConfig(), `Pulumi.${stack}.yaml`, stack);
    } catch (e) {
        // RunError prints the message alone: one line per config problem, no stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(`invalid stack config:\n${e.message}`);
        throw e;
    }
}

const config = loadConfig();

const provider = new aws.Provider("aws", {
    region: config.region as aws.Region,
    defaultTags: { tags: defaultTags(config) },
});

const environment = new EnvironmentStack("tms", { config }, { providers: { aws: provider } });

module.exports = environment.outputs;
