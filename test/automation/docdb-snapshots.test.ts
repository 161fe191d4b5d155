import { strict as assert } from "assert";
import { CreateDBClusterSnapshotCommand, DeleteDBClusterSnapshotCommand, DescribeDBClusterSnapshotsCommand, DocDBClient } from "@aws-sdk/client-docdb";
import { mockClient } from "aws-sdk-client-mock";
import { DocDbSnapshots, snapshotName } from "../../automation/adapters/docdb-snapshots";
import { VirtualClock } from "../../automation/clock";

const docdb = mockClient(DocDBClient);
const T0 = Date.parse("2026-03-10T15:00:00Z");
const opts = { timeoutMs: 60_000, pollMs: 15_000 };

describe("DocumentDB pre-deployment snapshots", () => {
    beforeEach(() => docdb.reset());

    it("names snapshots tms-<env>-predeploy-<release>-<timestamp>, valid for DocumentDB", () => {
        assert.equal(snapshotName("prod", "v1.4.2", T0), "tms-prod-predeploy-v1-4-2-20260310t150000z");
        assert.equal(snapshotName("staging", "--Build_#77--", T0), "tms-staging-predeploy-build-77-20260310t150000z");
        assert.ok(!/--/.test(snapshotName("prod", "a--b", T0)));
    });

    it("creates a tagged snapshot and waits until it is available", async () => {
        const clock = new VirtualClock(T0);
        docdb.on(CreateDBClusterSnapshotCommand).resolves({});
        docdb.on(DescribeDBClusterSnapshotsCommand)
            .resolvesOnce({ DBClusterSnapshots: [{ Status: "creating" }] })
            .resolvesOnce({ DBClusterSnapshots: [{ Status: "available" }] });
        const id = await new DocDbSnapshots(new DocDBClient({}), "tms-prod-docdb", "prod", clock, opts).snapshot("v1.4.2", "r1");
        assert.equal(id, "tms-prod-predeploy-v1-4-2-20260310t150000z");
        const create = docdb.commandCalls(CreateDBClusterSnapshotCommand)[0].args[0].input;
        assert.equal(create.DBClusterIdentifier, "tms-prod-docdb");
        assert.equal(create.DBClusterSnapshotIdentifier, id);
        assert.deepEqual(create.Tags!.find((t) => t.Key === "Release"), { Key: "Release", Value: "v1.4.2" });
        assert.deepEqual(create.Tags!.find((t) => t.Key === "Purpose"), { Key: "Purpose", Value: "predeploy" });
        assert.equal(clock.slept, 15_000);
    });

    it("fails when the snapshot fails or is not available in time", async () => {
        docdb.on(CreateDBClusterSnapshotCommand).resolves({});
        docdb.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [{ Status: "creating" }] });
        await assert.rejects(new DocDbSnapshots(new DocDBClient({}), "c", "prod", new VirtualClock(T0), opts).snapshot("v1", "r"),
            /not available after 60s \(status creating\)/);
        docdb.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [{ Status: "failed" }] });
        await assert.rejects(new DocDbSnapshots(new DocDBClient({}), "c", "prod", new VirtualClock(T0), opts).snapshot("v1", "r"), /is failed/);
        docdb.on(CreateDBClusterSnapshotCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDenied" }));
        await assert.rejects(new DocDbSnapshots(new DocDBClient({}), "c", "prod", new VirtualClock(T0), opts).snapshot("v1", "r"),
            /DocumentDB CreateDBClusterSnapshot failed: AccessDenied: not authorized/);
    });

    it("prunes only our manual predeploy snapshots older than the retention", async () => {
        const clock = new VirtualClock(T0);
        const day = 86_400_000;
        const snap = (id: string, ageDays: number, type = "manual") =>
            ({ DBClusterSnapshotIdentifier: id, SnapshotType: type, Status: "available", SnapshotCreateTime: new Date(T0 - ageDays * day) });
        docdb.on(DescribeDBClusterSnapshotsCommand)
            .resolvesOnce({ DBClusterSnapshots: [snap("tms-prod-predeploy-old-1", 31), snap("tms-prod-predeploy-new", 29)], Marker: "m" })
            .resolvesOnce({ DBClusterSnapshots: [snap("hand-made-backup", 90), snap("tms-prod-predeploy-auto", 90, "automated"), snap("tms-staging-predeploy-x", 90), snap("tms-prod-predeploy-old-2", 40)] });
        docdb.on(DeleteDBClusterSnapshotCommand).resolves({});
        const deleted = await new DocDbSnapshots(new DocDBClient({}), "tms-prod-docdb", "prod", clock, opts).prune(30);
        assert.deepEqual(deleted, ["tms-prod-predeploy-old-1", "tms-prod-predeploy-old-2"]);
        assert.deepEqual(docdb.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input.DBClusterSnapshotIdentifier), deleted);
        const list = docdb.commandCalls(DescribeDBClusterSnapshotsCommand);
        assert.deepEqual(list[0].args[0].input, { DBClusterIdentifier: "tms-prod-docdb", SnapshotType: "manual", Marker: undefined });
        assert.equal(list[1].args[0].input.Marker, "m");
    });
});
