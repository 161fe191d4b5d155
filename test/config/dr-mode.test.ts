/** config/dr-mode.ts: dr's task counts for the mode the DR runbook recorded, as plain data on the shipped files. */
import { strict as assert } from "assert";
import { applyDrMode } from "../../config/dr-mode";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, stackConfig } from "../harness";

const load = (stack: string) => loadStackConfig(flattenConfig(stackConfig(stack)), `Pulumi.${stack}.yaml`, stack);

describe("dr mode → the stack config", () => {
    it("active runs every dr service at prod's minimum; standby keeps the stack file's count; prod has no mode", () => {
        const cfg = load("dr");
        assert.deepEqual(applyDrMode(cfg, "standby"), cfg);
        const active = applyDrMode(cfg, "active");
        assert.deepEqual([active.compute.desiredCount, ...active.services.map((x) => x.desiredCount)], [6, 6, 6]);
        assert.deepEqual(cfg.services.map((x) => x.desiredCount), [4, 4], "standby: the stack file's count");
        const prodCfg = load("prod");
        assert.equal(applyDrMode(prodCfg, "active"), prodCfg, "only the dr stack has a mode");
    });
});
