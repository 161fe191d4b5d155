/**
 * The contract between this library and the application images it runs (docs/image-contract.md): what
 * every image must provide, and what the task definitions and connection strings rely on. The task
 * definitions (colour-service.ts, migration-task.ts) and the MongoDB URIs (database-users.ts) are built
 * from these values, and test/components/image-contract.test.ts checks every planned task definition
 * and URI of every stack against them and the document against this file.
 */

export const IMAGE_CONTRACT = {
    /**
     * The user every container runs as (uid:gid, numeric so that no /etc/passwd entry is needed); never
     * root. The root filesystem is read-only.
     */
    user: "1000:1000",
    /**
     * The only writable paths: task-definition bind mounts. Fargate creates a bind mount owned by root
     * with mode 0755 unless the image declares the same path as a `VOLUME` whose directory it has
     * prepared; the data plane then copies the directory, its owner and mode included
     * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html). So each image must
     * `RUN mkdir -p /tmp && chown 1000:1000 /tmp && chmod 1777 /tmp` and `VOLUME ["/tmp"]`, or user 1000
     * cannot write there.
     */
    writablePaths: ["/tmp"],
    /**
     * The Amazon RDS global CA bundle inside the image: DocumentDB's TLS certificates chain to it, not to
     * a public root in the OS trust store
     * (https://docs.aws.amazon.com/documentdb/latest/developerguide/connect_programmatically.html;
     * bundle: https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem). Every MongoDB URI names
     * it with `tlsCAFile`.
     */
    caBundlePath: "/etc/ssl/certs/rds-global-bundle.pem",
    /** The interpreter the health check and the migration task's user provisioning run (with pymongo installed). */
    python: "python3",
} as const;

/**
 * The container health check: an HTTP GET of the service's health path on localhost through Python's
 * standard library (exec form, no shell, no curl in the image), failing on a non-2xx answer, a refused
 * connection or 4 s without one. Pure.
 */
export function healthCheckCommand(port: number, path: string): string[] {
    const url = `http://127.0.0.1:${port}${path}`;
    return ["CMD", IMAGE_CONTRACT.python, "-c", `import urllib.request; urllib.request.urlopen(${JSON.stringify(url)}, timeout=4)`];
}

/** The bind mounts of the writable paths, for a container definition. Pure. */
export function writableMounts(): { sourceVolume: string; containerPath: string; readOnly: false }[] {
    return IMAGE_CONTRACT.writablePaths.map((p) => ({ sourceVolume: volumeName(p), containerPath: p, readOnly: false }));
}

/** The task-definition volumes the writable paths mount (bind mounts: a name, no host path). Pure. */
export function writableVolumes(): { name: string }[] {
    return IMAGE_CONTRACT.writablePaths.map((p) => ({ name: volumeName(p) }));
}

/** `/tmp` → `tmp`, `/var/cache/app` → `var-cache-app`. Pure. */
export const volumeName = (p: string) => p.replace(/^\//, "").replace(/\//g, "-");

/**
 * The TLS and replica-set options of every DocumentDB connection string: TLS verified against the
 * contract's CA bundle, the only replica set name DocumentDB has (`rs0`), reads from secondaries, no
 * retryable writes (unsupported). Pure.
 */
export function docdbUriOptions(extra: Record<string, string> = {}): string {
    const options: Record<string, string> = {
        tls: "true",
        tlsCAFile: IMAGE_CONTRACT.caBundlePath,
        replicaSet: "rs0",
        readPreference: "secondaryPreferred",
        retryWrites: "false",
        ...extra,
    };
    return Object.entries(options).map(([k, v]) => `${k}=${k === "tlsCAFile" ? v : encodeURIComponent(v)}`).join("&");
}
