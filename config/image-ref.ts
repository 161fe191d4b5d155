/**
 * Container image references as the stack config (`tms:deployment.<colour>.images.<service>`) and
 * `rollout --image SERVICE=IMAGE` take them:
 *
 * - a tag of the service's own ECR repository: `4f1c2ab-prod`;
 * - a digest of it: `sha256:<64 hex>` (also written `@sha256:…`);
 * - a full reference, anything with a `/`: `<registry>/<path>[:tag][@sha256:…]`.
 *
 * The grammar is Docker's (distribution/reference, reference.go@0965666a6ade2e06035fe352e38344be1e68951a:
 * `reference := name [":" tag] ["@" digest]`, `tag := /[\w][\w.-]{0,127}/`, a digest
 * `algorithm ":" hex`, lowercase path components, a domain that may carry a `:port`). Pure.
 */

export interface ImageRef {
    /** The repository (`<registry>/<path>`); undefined for a bare tag or digest of the service's own repository. */
    repository?: string;
    tag?: string;
    /** `sha256:<hex>`. */
    digest?: string;
}

/** `message` is `"<text>" <reason>`; `reason` alone is what a config error (which quotes the value itself) prints. */
export class ImageRefError extends Error {
    constructor(text: string, readonly reason: string) {
        super(`"${text}"${/^("|no )/.test(reason) ? ":" : ""} ${reason}`);
    }
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[+._-][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const DOMAIN =
    /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;

/** Parse a reference; throws {@link ImageRefError} saying what is wrong. */
export function parseImageRef(text: string): ImageRef {
    const s = text.trim();
    if (s === "" || s !== text) throw new ImageRefError(text, "is not an image (a tag, a sha256:… digest or a full image URI)");
    if (!s.includes("/")) {
        const bare = s.startsWith("@") ? s.slice(1) : s;
        if (DIGEST.test(bare)) return { digest: bare };
        if (TAG.test(s)) return { tag: s };
        throw new ImageRefError(text, "is not an image tag (letters, digits, _ . -; at most 128) nor a digest (sha256:<hex>)");
    }
    let rest = s;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) throw new ImageRefError(text, `"${digest}" is not a digest (sha256:<hex>)`);
    }
    let tag: string | undefined;
    const slash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > slash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) throw new ImageRefError(text, `"${tag}" is not a tag (letters, digits, _ . -; at most 128)`);
    }
    const [first, ...path] = rest.split("/");
    // As Docker reads it: the first component is a registry when it has a dot or a port (or is localhost).
    const hasRegistry = /[.:]/.test(first) || first === "localhost";
    const components = hasRegistry ? path : [first, ...path];
    if (hasRegistry && !DOMAIN.test(first)) throw new ImageRefError(text, `"${first}" is not a registry host`);
    for (const c of components) {
        if (!PATH_COMPONENT.test(c))
            throw new ImageRefError(text, `"${c}" is not a repository path component (lowercase letters, digits, separators . _ __ -)`);
    }
    if (!components.length) throw new ImageRefError(text, `no repository after the registry`);
    return { repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * The full image of a reference in a service's repository (`repositoryUrl`): a full reference as
 * given; a tag as `<repository>:<tag>`; a digest as `<repository>@sha256:…` (never `:sha256:…`).
 */
export function imageUri(repositoryUrl: string, ref: string): string {
    const r = parseImageRef(ref);
    if (r.repository) return ref;
    return r.digest ? `${repositoryUrl}@${r.digest}` : `${repositoryUrl}:${r.tag}`;
}

/** Tags that move (`latest`, `latest-<env>`): never a release's id. */
export const isMovingTag = (tag: string) => tag === "latest" || tag.startsWith("latest-");

/**
 * What names a release made of these images: the tag they share, else the first 12 hex of the
 * digest they share (`sha256:4f1c…` → `4f1c…`), else null (images of different versions, an
 * untagged URI, or a moving tag such as `latest`, which names no version).
 */
export function commonVersion(images: string[]): string | null {
    const versions = new Set(images.map((i) => {
        const r = parseImageRef(i);
        if (r.tag && !isMovingTag(r.tag)) return r.tag;
        if (r.digest) return r.digest.slice(r.digest.indexOf(":") + 1, r.digest.indexOf(":") + 13).toLowerCase();
        return null;
    }));
    if (versions.size !== 1) return null;
    return [...versions][0];
}
