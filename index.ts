/**
 * The stack program: load and validate the stack config (nothing is registered if it is bad), refuse a
 * traffic section that is behind the deployed release (config/release.ts), for dr check that the prod
 * stack it reads exports what dr needs and apply the mode the DR runbook recorded in SSM (docs/dr.md),
 * create the AWS provider with the default
 * tags, build one EnvironmentStack, export its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./config/stack-config";
import { EnvironmentStack } from "./components/environment";
import { stackAwsProvider } from "./components/aws-provider";
import { defaultTags } from "./config/naming";
import { PrimaryStackError, readDrMode, readPrimaryStack } from "./components/primary";
import { applyDrMode } from "./config/dr-mode";
import { readDeployedRelease } from "./components/deployed-release";
import { judgeRelease, releaseOf } from "./config/release";

export = async () => {
    const stack = pulumi.getStack();
    const source = `Pulumi.${stack}.yaml`;
    try {
        const loaded = loadStackConfig(pulumi.runtime.allConfig(), source, stack);
        // A stack file whose traffic section is behind the deployed release must not move traffic back.
        const judged = judgeRelease(source, stack, releaseOf(loaded.deployment), await readDeployedRelease());
        if (!judged.ok) throw new pulumi.RunError(judged.message);
        const primary = loaded.dr.role === "secondary" ? await readPrimaryStack(source, loaded.primaryStack!) : undefined;
        // dr: the mode the DR runbook recorded in SSM decides its task counts (docs/dr.md).
        const config = loaded.dr.role === "secondary" ? applyDrMode(loaded, await readDrMode(source, loaded.environmentName)) : loaded;
        // The stack's aws:* settings (profile, assumeRoles, …), its region and default tags; the regional
        // providers of the components copy them (components/aws-provider.ts).
        const provider = stackAwsProvider("aws", { region: config.region, tags: defaultTags(config) });
        const environment = new EnvironmentStack("tms", { config, primary, release: judged.release }, { providers: { aws: provider } });
        return environment.outputs;
    } catch (e) {
        // RunError prints the message alone: one line per config problem, no stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(`invalid stack config:\n${e.message}`);
        if (e instanceof PrimaryStackError) throw new pulumi.RunError(e.message);
        throw e;
    }
};
