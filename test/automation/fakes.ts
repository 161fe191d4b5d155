/** Fakes for every port of the rollout orchestration, recording into one log (order of side effects across ports). */
import { DateTime } from "luxon";
import type { CheckResult } from "../../automation/adapters/checks";
import type { Notification } from "../../automation/adapters/sns-notifier";
import { validateChangeRequest } from "../../automation/change-request";
import { VirtualClock } from "../../automation/clock";
import { RolloutOrchestrator, type OrchestratorDeps, type RolloutRequest } from "../../automation/orchestrate";
import type { Colour, MetricsSample, Release, StackPort, TrafficState } from "../../automation/ports";
import type { DeploymentRecord } from "../../automation/record";
import { resolveRolloutSettings } from "../../config/rollout-settings";
import { MemoryStateStore } from "../../automation/state-memory";
import { good } from "./helpers";

export const ny = (iso: string) => DateTime.fromISO(iso, { zone: "America/New_York" }).toMillis();
export const TUESDAY = ny("2026-03-10T10:30");
export const RELEASE: Release = { id: "v2.0.0", images: { "api-gateway": "repo/api:v2", "task-service": "repo/task:v2" } };
export const TRAFFIC: TrafficState = { live: "blue", weight: 0, images: { blue: { "api-gateway": "v1" }, green: {} }, running: { blue: true, green: false } };
const CR = validateChangeRequest({ id: "CHG-7", risk: "high", rollbackPlan: "weight 0, restore snapshot", approvals: [
    { role: "technical-review", by: "ana" }, { role: "qa", by: "bo" }, { role: "product", by: "cy" }, { role: "operations", by: "di" }] }, "cr.yaml");

/** Every port records into one log, so the test sees the order of side effects across ports. */
export function world(opts: { sample?: (i: number) => MetricsSample; snapshotFails?: boolean; migrationFails?: boolean; smokeFails?: boolean; strategy?: "canary" | "rolling" } = {}) {
    const log: string[] = [];
    const clock = new VirtualClock(TUESDAY);
    let weight = 0;
    const deployed: Release[] = [];
    let live: Colour = "blue";
    const stack: StackPort = {
        readTraffic: async () => ({ ...TRAFFIC, live, weight }),
        deployCandidate: async (c, r) => { log.push(`deploy ${c}`); deployed.push(r); },
        setWeight: async (w) => { log.push(`weight ${w}`); weight = w; },
        readWeight: async () => weight,
        candidateHealth: async () => ({ healthy: 6, unhealthy: 0, pending: 0 }),
        finalise: async (c) => { log.push(`finalise ${c}`); live = c; weight = 0; },
        scaleToZero: async (c) => void log.push(`scale ${c} to 0`),
        deployRolling: async (r) => { log.push(`rolling ${r.id}`); return { settled: true, detail: "steady" }; },
    };
    let i = 0;
    const store = new MemoryStateStore();
    const origAcquire = store.acquire.bind(store);
    store.acquire = async (...a) => { log.push(`lock ${a[1]}`); return origAcquire(...a); };
    const origRelease = store.release.bind(store);
    store.release = async (l) => { log.push("unlock"); return origRelease(l); };
    const check = (name: string, fail: boolean): CheckResult => ({ ok: !fail, lines: [{ name, ok: !fail, detail: fail ? "exit code 1" : "exit code 0" }] });
    const notes: Notification[] = [];
    const records: DeploymentRecord[] = [];
    const deps: OrchestratorDeps = {
        stack,
        metrics: { query: async () => (opts.sample ?? good)(i++), criticalAlarms: async () => [] },
        store,
        clock,
        snapshots: {
            snapshot: async (id) => { log.push("snapshot"); if (opts.snapshotFails) throw new Error("DocumentDB CreateDBClusterSnapshot failed: AccessDenied"); return `tms-prod-predeploy-${id}`; },
            prune: async () => { log.push("prune"); return ["tms-prod-predeploy-old"]; },
        },
        migrations: { migrate: async (c) => { log.push(`migrate ${c}`); return check("api-gateway", !!opts.migrationFails); } },
        smoke: { mode: "fake", check: async (c) => { log.push(`smoke ${c}`); return check("/health/db", !!opts.smokeFails); } },
        notifier: { notify: async (n) => { log.push(`notify ${n.kind}`); notes.push(n); } },
        writeRecord: (r) => { log.push("record"); records.push(JSON.parse(JSON.stringify(r))); return [`deployments/prod/${r.rolloutId}.json`]; },
    };
    const request: RolloutRequest = {
        stack: "prod", environment: "prod", owner: "ci:run-1", release: RELEASE,
        settings: resolveRolloutSettings(opts.strategy ?? "canary", {}), configTraffic: TRAFFIC,
        migrationCommands: [{ service: "api-gateway", command: ["python", "manage.py", "migrate", "--database", "mongodb"] }],
        retentionDays: 30, changeRequest: CR,
    };
    return { log, deployed, clock, store, deps, request, notes, records, orchestrator: new RolloutOrchestrator(deps) };
}


/** Stack outputs that satisfy the rollout's output contract (config/stack-outputs.ts), as `stack.outputs()` returns them. */
export function contractOutputs(extra: Record<string, unknown> = {}): Record<string, { value: unknown; secret: boolean }> {
    const tg = { blue: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/api-blue/1", green: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/api-green/2" };
    const values: Record<string, unknown> = {
        release: { revision: 0, live: "blue", weight: 0, blue: { running: true, images: { "api-gateway": "v1" } }, green: { running: false, images: {} } },
        strategy: "canary",
        clusterName: "task-management-prod",
        ecsServices: { "api-gateway": { blue: "api-gateway-blue", green: "api-gateway-green" } },
        migrationTaskFamilies: {},
        testListenerUrl: "https://tms-prod-alb.example.com:8443",
        loadBalancerArnSuffix: "app/tms-prod/1",
        targetGroupArnSuffixes: { "api-gateway": { blue: "targetgroup/api-blue/1", green: "targetgroup/api-green/2" } },
        targetGroupArns: { "api-gateway": tg },
        weightListenerUrns: ["urn:pulumi:prod::tms::aws:lb/listener:Listener::tms-https"],
        alertTopics: { critical: "arn:aws:sns:us-east-1:111122223333:tms-prod-critical", warning: "arn:aws:sns:us-east-1:111122223333:tms-prod-warning" },
        rolloutTableName: "tms-prod-rollouts",
        databaseClusterId: "c",
        ...extra,
    };
    return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value, secret: false }]));
}
