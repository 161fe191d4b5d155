/**
 * The fake AWS accounts' memory, kept on disk so that every provider process of every engine run (and
 * every stack of a sandbox) sees the same accounts: what each resource stores (a read, a refresh), the
 * names AWS keeps unique (a second create fails as AWS fails it), names a delete leaves reserved (a
 * secret's recovery window), and the last revision of each task definition family.
 *
 * Layout under the root (`TMS_FAKE_AWS_DIR`, set by the sandbox): one folder per account, in it
 * `resources/<id>.json` and `names/<scope>/<type>/<key>.json`; task definition revisions under
 * `revisions/<region>/<family>`. Names are claimed with an exclusive create (`wx`), so two processes
 * racing for one name get AWS's answer: one wins, the other is told the name exists.
 *
 * Accounts: dev, staging and prod each have their own; dr shares prod's (DESIGN.md, "Stacks and
 * accounts"). A stack's account is its name unless `TMS_FAKE_AWS_ACCOUNTS` maps it (`dr=prod`).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { factsOf, type UniqueFact } from "./facts";

/** The sandbox's stack-to-account map: dr runs in prod's account. */
export const SHARED_ACCOUNTS = "dr=prod";

export interface AccountOptions {
    root: string;
    /** `stack=account,…`; stacks not listed have an account of their own. */
    accounts?: string;
    /** Milliseconds since the epoch (a test's clock). */
    now?: () => number;
}

/** The account a stack deploys into. Pure. */
export function accountOf(stack: string, accounts = SHARED_ACCOUNTS): string {
    for (const pair of accounts.split(",").map((s) => s.trim()).filter(Boolean)) {
        const [from, to] = pair.split("=");
        if (from === stack && to) return to;
    }
    return stack;
}

/** Stack and type of a resource from its URN (`urn:pulumi:<stack>::<project>::<parents$>type::name`). Pure. */
export function urnParts(urn: string): { stack: string; type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) throw new Error(`not a resource URN: ${urn}`);
    return { stack: parts[0].slice("urn:pulumi:".length), type: parts[2].split("$").pop()!, name: parts.slice(3).join("::") };
}

const safe = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

interface NameClaim {
    key: string;
    urn: string;
    /** Set when the owner was deleted but AWS keeps the name (ms since the epoch). */
    reservedUntil?: number;
}

/** An AWS refusal with AWS's error code first, as the provider would report it. */
export class AwsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AwsError";
    }
}

export class FakeAccounts {
    private readonly now: () => number;
    constructor(private readonly opts: AccountOptions) {
        this.now = opts.now ?? Date.now;
    }

    private accountDir(urn: string): string {
        return path.join(this.opts.root, accountOf(urnParts(urn).stack, this.opts.accounts));
    }

    private nameFile(urn: string, fact: UniqueFact, region: string, key: string): string {
        const scope = fact.scope === "region" ? region : fact.scope;
        return path.join(this.accountDir(urn), "names", scope, urnParts(urn).type.replace(/[^A-Za-z0-9]+/g, "_"), `${safe(key)}.json`);
    }

    /**
     * Claim the unique name a create uses. Throws AWS's error when another resource holds it, or when a
     * delete left it reserved and the reservation has not run out.
     */
    claim(urn: string, region: string, inputs: Record<string, any>): void {
        const fact = factsOf(urnParts(urn).type)?.unique;
        const key = fact?.key(inputs);
        if (!fact || key === undefined) return;
        const file = this.nameFile(urn, fact, region, key);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const claim: NameClaim = { key, urn };
        try {
            fs.writeFileSync(file, JSON.stringify(claim), { flag: "wx" });
            return;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        const held: NameClaim = JSON.parse(fs.readFileSync(file, "utf8"));
        if (held.reservedUntil !== undefined) {
            if (held.reservedUntil > this.now()) {
                const reservation = factsOf(urnParts(urn).type)?.reservedAfterDelete;
                throw new AwsError(`${reservation?.error ?? fact.error} (${key}: reserved until ${new Date(held.reservedUntil).toISOString()})`);
            }
        } else if (held.urn !== urn) {
            throw new AwsError(`${fact.error}: ${key} already exists (held by ${held.urn})`);
        }
        fs.writeFileSync(file, JSON.stringify(claim));
    }

    /** Give the name back on delete, or keep it reserved for the type's reservation. */
    release(urn: string, region: string, state: Record<string, any>): void {
        const facts = factsOf(urnParts(urn).type);
        const key = facts?.unique?.key(state);
        if (!facts?.unique || key === undefined) return;
        const file = this.nameFile(urn, facts.unique, region, key);
        const days = facts.reservedAfterDelete?.days(state) ?? 0;
        if (days > 0) fs.writeFileSync(file, JSON.stringify({ key, urn, reservedUntil: this.now() + days * 86_400_000 } satisfies NameClaim));
        else fs.rmSync(file, { force: true });
    }

    /** The next revision of a task definition family in a region (revisions are never reused). */
    nextRevision(urn: string, region: string, family: string): number {
        const file = path.join(this.accountDir(urn), "revisions", region, safe(family));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const last = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) || 0 : 0;
        fs.writeFileSync(file, String(last + 1));
        return last + 1;
    }

    /** How many times a resource (its URN) was created before: 0 the first time; a replacement gets new ids. */
    nextGeneration(urn: string): number {
        const file = path.join(this.accountDir(urn), "generations", safe(urn));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const seen = fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : -1;
        fs.writeFileSync(file, String(seen + 1));
        return seen + 1;
    }

    /** A resource's file: ids are unique per type in a region of the account (a parameter's id is its name). */
    private resourceFile(urn: string, region: string, id: string): string {
        return path.join(this.accountDir(urn), "resources", `${safe(`${urnParts(urn).type}|${region}|${id}`)}.json`);
    }

    /** Remember what AWS stores for a resource. */
    store(urn: string, region: string, id: string, state: Record<string, any>): void {
        const file = this.resourceFile(urn, region, id);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify({ urn, id, state }));
    }

    /** What AWS stores for a resource, or undefined when it does not exist (deleted, never created here). */
    read(urn: string, region: string, id: string): Record<string, any> | undefined {
        const file = this.resourceFile(urn, region, id);
        return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).state : undefined;
    }

    forget(urn: string, region: string, id: string): void {
        fs.rmSync(this.resourceFile(urn, region, id), { force: true });
    }
}

/** The accounts of this process, when the sandbox gives it a folder (`TMS_FAKE_AWS_DIR`); none otherwise. */
export function accountsFromEnv(env: NodeJS.ProcessEnv = process.env): FakeAccounts | undefined {
    const root = env.TMS_FAKE_AWS_DIR;
    return root ? new FakeAccounts({ root, accounts: env.TMS_FAKE_AWS_ACCOUNTS ?? SHARED_ACCOUNTS }) : undefined;
}
