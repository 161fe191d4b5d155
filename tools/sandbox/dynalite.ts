/**
 * The rollout table served by dynalite (the npm package: a DynamoDB implementation on LevelDB that we did
 * not write), for the offline sandbox and the tests. The rollout reaches it through the real SDK adapter
 * (automation/adapters/dynamo-state.ts) pointed at its endpoint, so its conditions, updates and
 * consistent reads are judged by a DynamoDB implementation, not by our own fake.
 *
 * In memory by default; with `dir`, its LevelDB data lives there (the sandbox keeps it across commands and
 * `--fresh-checkout`). The table is created as `components/rollout-lock.ts` declares it (hash key `pk`, S).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import type { AddressInfo } from "net";
import { keepConnections } from "./dynalite-server";

export interface Dynalite {
    endpoint: string;
    client: DynamoDBClient;
    close(): Promise<void>;
}

/** Credentials dynalite accepts (it checks only that a signature is there): not secrets. */
export const DYNALITE_CREDENTIALS = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };

/** A DynamoDB client for a dynalite endpoint (the real SDK; region and credentials are placeholders). */
export function dynaliteClient(endpoint: string): DynamoDBClient {
    return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: DYNALITE_CREDENTIALS, maxAttempts: 1 });
}

/** Start dynalite on a free loopback port (in memory, or persisted under `dir`). */
export async function startDynalite(opts: { dir?: string; port?: number } = {}): Promise<Dynalite> {
    // Loaded lazily: a dev dependency, used only by the sandbox and the tests.
    const dynalite = require("dynalite") as (o: Record<string, unknown>) => import("http").Server;
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(opts.dir ? { path: opts.dir } : {}) });
    keepConnections(server);
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = dynaliteClient(endpoint);
    return {
        endpoint,
        client,
        close: () => new Promise<void>((resolve) => {
            client.destroy();
            server.close(() => resolve());
        }),
    };
}

/** Create the rollout table if it does not exist (idempotent). */
export async function ensureRolloutTable(client: DynamoDBClient, tableName: string): Promise<void> {
    try {
        await client.send(new DescribeTableCommand({ TableName: tableName }));
        return;
    } catch (e) {
        if (!(e instanceof ResourceNotFoundException) && (e as Error).name !== "ResourceNotFoundException") throw e;
    }
    await client.send(new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
    }));
}
