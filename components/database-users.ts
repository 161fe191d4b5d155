/**
 * One least-privilege DocumentDB user per service instead of the master user: read/write on the
 * service's own database, nothing else (DocumentDB's built-in `readWrite` role, scoped to one
 * database: https://docs.aws.amazon.com/documentdb/latest/developerguide/role_based_access_control.html).
 *
 * Rotation uses alternating users (the "alternating users" strategy of
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-strategy.html): every service
 * has two users, `<db>_a` and `<db>_b`. `tms:database.credentialGeneration` picks the current one
 * (odd → a, even → b) and renews that slot's password when it moves; the service's `mongodb-uri`
 * names the current user, while the other user keeps its password, so the colour still running on the
 * previous credentials keeps connecting until it is replaced. The users are created and their
 * passwords set by the migration task of each service (the rollout runs it before traffic moves),
 * whose first container runs {@link userProvisioningScript} with the master credentials; only that
 * task's execution role can read them.
 *
 * dr: its cluster is a read-only secondary of prod's global cluster and the users replicate from
 * prod, so dr creates no users and reads the current credentials from prod's
 * `databaseUserCredentials` output.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DOCDB_PASSWORD_SPECIALS, MASTER_USERNAME } from "./database";
import { secretName, serviceTags } from "../config/naming";
import { docdbUriOptions } from "./image-contract";

/** The database (and user name stem) of a service: `task-service` → `task_service`. */
export const serviceDatabase = (service: string) => service.replace(/-/g, "_");

export type UserSlot = "a" | "b";
/** The slot a generation uses: odd → a, even → b. */
export const currentSlot = (generation: number): UserSlot => (generation % 2 === 1 ? "a" : "b");
/** The last generation that renewed `slot`'s password (0 when it never has: its first password). */
export const slotGeneration = (generation: number, slot: UserSlot): number => {
    const parity = slot === "a" ? 1 : 0;
    return generation % 2 === parity ? generation : Math.max(0, generation - 1);
};
export const userName = (service: string, slot: UserSlot) => `${serviceDatabase(service)}_${slot}`;

/**
 * The connection string of a database user. DocumentDB requires TLS, supports only the `rs0` replica
 * set name and no retryable writes, and its certificates chain to the Amazon RDS CA, which the image
 * holds at the contract's path (`tlsCAFile`, components/image-contract.ts); users are stored in
 * `admin`, hence `authSource=admin` when the URI names the service's own database
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html).
 */
export function userMongodbUri(username: string, password: string, host: string, port: number, database: string): string {
    const credentials = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
    return `mongodb://${credentials}@${host}:${port}/${database}?${docdbUriOptions({ authSource: "admin" })}`;
}

/**
 * The first container of a migration task runs this with python3 and pymongo (the service image's
 * own driver): it creates each of the service's users or sets its password, with `readWrite` on the
 * service's database only. Inputs come from the task's secrets and environment:
 * `MONGODB_MASTER_URI`, `DB_USER_PASSWORDS` (JSON user → password), `DB_NAME`. Commands:
 * `usersInfo`, `createUser`, `updateUser` (DocumentDB RBAC, common commands).
 */
export function userProvisioningScript(): string {
    return [
        "import json, os",
        "from pymongo import MongoClient",
        "admin = MongoClient(os.environ['MONGODB_MASTER_URI']).admin",
        "roles = [{'role': 'readWrite', 'db': os.environ['DB_NAME']}]",
        "users = json.loads(os.environ['DB_USER_PASSWORDS'])",
        "for user, pwd in sorted(users.items()):",
        "    exists = admin.command('usersInfo', user)['users']",
        "    admin.command('updateUser' if exists else 'createUser', user, pwd=pwd, roles=roles)",
        "    print(('updated ' if exists else 'created ') + user)",
    ].join("\n");
}

/** The master credentials' secret: `<env-name>/database/master-credentials` (read by migration tasks only). */
export const masterSecretName = (envName: string) => secretName(envName, "database", "master-credentials");
/** A service's two user passwords (JSON user → password): `<env-name>/<service>/database-users`. */
export const userPasswordsSecretName = (envName: string, service: string) => secretName(envName, service, "database-users");

export interface ServiceCredentials {
    username: pulumi.Output<string>;
    password: pulumi.Output<string>;
}

/** Each service's current database user, by service name: what prod exports and dr's users replicate from. */
export type DatabaseUserCredentials = Record<string, { username: string; password: string }>;

export interface DatabaseUsersArgs {
    /** Long environment name: the secrets' paths. */
    environmentName: string;
    /** The services (plain: one user, one database and one password secret each). */
    services: string[];
    /** `tms:database.credentialGeneration`. */
    generation: number;
    /**
     * Master credentials of the cluster (prod, staging, dev); absent in dr. Exactly one of `master` and
     * `replicated` is given.
     * @default none (dr: `replicated`)
     */
    master?: {
        /** The master password (a secret). */
        password: pulumi.Input<string>;
        /** The cluster's writer endpoint. */
        endpoint: pulumi.Input<string>;
        /** The cluster's port. */
        port: pulumi.Input<number>;
    };
    /**
     * dr: the current credentials of each service, from prod's `databaseUserCredentials`.
     * @default none (a cluster with its own master: `master`)
     */
    replicated?: pulumi.Input<DatabaseUserCredentials>;
    /** The secrets key (the password secrets' encryption). */
    kmsKeyArn: pulumi.Input<string>;
    /** Days a deleted secret stays restorable (0 deletes at once). */
    recoveryWindowInDays: pulumi.Input<number>;
}

/** The services' database users: generated passwords, their secrets, and the master credentials' secret. */
export class DatabaseUsers extends pulumi.ComponentResource {
    /** Current credentials per service (what its `mongodb-uri` names). */
    readonly current: Record<string, ServiceCredentials> = {};
    /** Secrets the migration tasks read (absent in dr). */
    readonly masterSecretArn?: pulumi.Output<string>;
    readonly passwordsSecretArns: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: DatabaseUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:DatabaseUsers", name, {}, opts);
        if (!Number.isInteger(args.generation) || args.generation < 1) {
            throw new Error(`DatabaseUsers: credentialGeneration must be a positive integer, got ${args.generation}`);
        }
        const slot = currentSlot(args.generation);
        const secret = (resource: string, secretNameValue: string, description: string, value: pulumi.Input<string>, service: string) => {
            const s = new aws.secretsmanager.Secret(resource, {
                name: secretNameValue,
                description,
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: args.recoveryWindowInDays,
                tags: serviceTags(service, {
                    RotationExemption:
                        "Rotated by tms:database.credentialGeneration (alternating users); the migration task sets the new password",
                }),
            }, { parent: this });
            new aws.secretsmanager.SecretVersion(`${resource}-value`, { secretId: s.id, secretString: pulumi.secret(value) },
                { parent: this, additionalSecretOutputs: ["secretString"] });
            return s.arn;
        };

        if (args.master) {
            const m = args.master;
            this.masterSecretArn = secret(`${name}-master`, masterSecretName(args.environmentName),
                "DocumentDB master credentials (migration tasks only)",
                pulumi.all([m.password, m.endpoint, m.port]).apply(([pw, host, port]) =>
                    userMongodbUri(MASTER_USERNAME, pw, host, port, "admin")), "database");
            for (const service of args.services) {
                const passwords = {} as Record<UserSlot, pulumi.Output<string>>;
                for (const s of ["a", "b"] as UserSlot[]) {
                    passwords[s] = pulumi.secret(new random.RandomPassword(`${name}-${service}-${s}`, {
                        length: 32,
                        special: true,
                        overrideSpecial: DOCDB_PASSWORD_SPECIALS,
                        minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1,
                        // A new generation renews only the slot it moves to.
                        keepers: { generation: String(slotGeneration(args.generation, s)) },
                    }, { parent: this, additionalSecretOutputs: ["result"] }).result);
                }
                this.passwordsSecretArns[service] = secret(`${name}-${service}-users`,
                    userPasswordsSecretName(args.environmentName, service),
                    `DocumentDB users of ${service} (migration task only)`,
                    pulumi.all([passwords.a, passwords.b]).apply(
                        ([a, b]) => JSON.stringify({ [userName(service, "a")]: a, [userName(service, "b")]: b })
                    ),
                    service);
                this.current[service] = { username: pulumi.output(userName(service, slot)), password: passwords[slot] };
            }
        } else {
            if (!args.replicated) throw new Error("DatabaseUsers: a secondary (dr) needs the primary's databaseUserCredentials");
            const replicated = pulumi.output(args.replicated);
            for (const service of args.services) {
                const c = replicated.apply((r) => {
                    const found = r?.[service];
                    if (!found) throw new Error(`tms:primaryStack: the primary's databaseUserCredentials has no user for ${service}`);
                    return found;
                });
                this.current[service] = { username: c.apply((x) => x.username), password: pulumi.secret(c.apply((x) => x.password)) };
            }
        }
        this.registerOutputs({});
    }

    /** What prod exports for dr: the current user and password of each service (a secret output). */
    credentialsOutput(): pulumi.Output<DatabaseUserCredentials> {
        return pulumi.secret(pulumi.all(Object.fromEntries(Object.entries(this.current).map(([s, c]) =>
            [s, pulumi.all([c.username, c.password]).apply(([username, password]) => ({ username, password }))]))));
    }
}
