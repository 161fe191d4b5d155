/**
 * Real adapters of the DR failover's ports: DocumentDB (DescribeDBClusters, DescribeGlobalClusters,
 * RemoveFromGlobalCluster) and the dr Pulumi stack (task counts through `tms:compute.desiredCount`,
 * target health through the same ALB read-back the rollout uses).
 */
import {
    DescribeDBClustersCommand,
    DescribeGlobalClustersCommand,
    DocDBClient,
    RemoveFromGlobalClusterCommand,
} from "@aws-sdk/client-docdb";
import type { DatabaseFailoverPort, DatabaseState, DrStackPort } from "../dr";
import type { Colour, TargetHealth } from "../ports";
import { awsCall } from "./aws-call";
import type { PulumiStackLike, PulumiStackPort } from "./pulumi-stack";

export class DocDbFailover implements DatabaseFailoverPort {
    constructor(
        private readonly client: DocDBClient,
        /** dr's cluster (stack output `databaseClusterId`). */
        private readonly clusterIdentifier: string,
        /** The global cluster it belongs to (prod's `globalClusterId`). */
        private readonly globalClusterIdentifier: string,
    ) {}

    private async cluster() {
        const out = await awsCall("DocumentDB DescribeDBClusters", (o) =>
            this.client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: this.clusterIdentifier }), o));
        const c = out.DBClusters?.[0];
        if (!c?.DBClusterArn) throw new Error(`DocumentDB cluster ${this.clusterIdentifier} not found`);
        return c;
    }

    async describe(): Promise<DatabaseState> {
        const c = await this.cluster();
        const out = await awsCall("DocumentDB DescribeGlobalClusters", (o) =>
            this.client.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: this.globalClusterIdentifier }), o),
        { pass: (e: any) => e?.name === "GlobalClusterNotFoundFault" }).catch(() => undefined);
        const member = out?.GlobalClusters?.[0]?.GlobalClusterMembers?.find((m) => m.DBClusterArn === c.DBClusterArn);
        const role = !member ? "standalone" : member.IsWriter ? "primary" : "secondary";
        return { role, status: c.Status ?? "unknown" };
    }

    async detachAndPromote(): Promise<void> {
        const c = await this.cluster();
        await awsCall("DocumentDB RemoveFromGlobalCluster", (o) =>
            this.client.send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: this.globalClusterIdentifier, DbClusterIdentifier: c.DBClusterArn }), o));
    }
}

export class PulumiDrStack implements DrStackPort {
    constructor(
        private readonly stack: PulumiStackLike,
        /** Reads target health off the ALB (the rollout's stack port on the same stack). */
        private readonly port: Pick<PulumiStackPort, "candidateHealth">,
        private readonly live: Colour,
        private readonly log: (line: string) => void = () => undefined,
    ) {}

    async scaleServices(count: number): Promise<void> {
        await this.stack.setAllConfig({ "tms:compute.desiredCount": { value: String(count), secret: false } }, true);
        this.log(`pulumi up: ${count} tasks per service`);
        const r = await this.stack.up({ onOutput: (line: string) => this.log(line.trimEnd()) });
        if (r.summary.result !== "succeeded") throw new Error(`pulumi up ended ${r.summary.result}: ${r.summary.message ?? ""}`.trim());
    }

    liveHealth(): Promise<TargetHealth> {
        return this.port.candidateHealth(this.live);
    }
}
