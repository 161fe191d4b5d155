/** Image references (L1/L2 pure): Docker's grammar for `--image` and `tms:deployment.<colour>.images`, and the image the program runs. */
import { strict as assert } from "assert";
import { commonVersion, imageUri, parseImageRef } from "../../config/image-ref";
import { ConfigError, loadStackConfig } from "../../config/stack-config";
import { flattenConfig, stackConfig } from "../harness";

const DIGEST = "sha256:4f1c2ab9e0d3c7b1a2f4e6d8c0b2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8";
const REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway";

describe("image references", () => {
    it("reads tags, digests and full references as Docker does", () => {
        assert.deepEqual(parseImageRef("4f1c2ab-prod"), { tag: "4f1c2ab-prod" });
        assert.deepEqual(parseImageRef(DIGEST), { digest: DIGEST });
        assert.deepEqual(parseImageRef(`@${DIGEST}`), { digest: DIGEST });
        assert.deepEqual(parseImageRef(`${REPO}:v2`), { repository: REPO, tag: "v2" });
        assert.deepEqual(parseImageRef(`${REPO}@${DIGEST}`), { repository: REPO, digest: DIGEST });
        assert.deepEqual(parseImageRef(`localhost:5000/a/b:v1@${DIGEST}`), { repository: "localhost:5000/a/b", tag: "v1", digest: DIGEST });
        assert.deepEqual(parseImageRef("host:5000/repo/a"), { repository: "host:5000/repo/a" });
        assert.deepEqual(parseImageRef("library/nginx"), { repository: "library/nginx" });
    });

    it("refuses what Docker refuses, saying which part is wrong", () => {
        assert.throws(() => parseImageRef(""), /is not an image/);
        assert.throws(() => parseImageRef(" v1"), /is not an image/);
        assert.throws(() => parseImageRef("nginx:1.25"), /"nginx:1.25" is not an image tag/);
        assert.throws(() => parseImageRef(`-bad`), /is not an image tag/);
        assert.throws(() => parseImageRef("a".repeat(129)), /is not an image tag/);
        assert.throws(() => parseImageRef("repo/API:v1"), /"API" is not a repository path component/);
        assert.throws(() => parseImageRef(`${REPO}@sha256:xyz`), /"sha256:xyz" is not a digest/);
        assert.throws(() => parseImageRef(`${REPO}:bad/tag`), /"api-gateway:bad" is not a repository path component/);
        assert.throws(() => parseImageRef("-host.example.com/repo"), /"-host.example.com" is not a registry host/);
    });

    it("puts a tag after a colon and a digest after an @ in the service's repository; a full URI stays as given", () => {
        assert.equal(imageUri(REPO, "v2"), `${REPO}:v2`);
        assert.equal(imageUri(REPO, DIGEST), `${REPO}@${DIGEST}`);
        assert.equal(imageUri(REPO, `@${DIGEST}`), `${REPO}@${DIGEST}`);
        assert.equal(imageUri(REPO, "registry.example.com/x/y:1"), "registry.example.com/x/y:1");
    });

    it("names the version images share: tag, else the digest's first 12 hex; none for moving tags or mixed versions", () => {
        assert.equal(commonVersion(["v2", `${REPO}:v2`]), "v2");
        assert.equal(commonVersion([DIGEST, `${REPO}@${DIGEST.toUpperCase().replace("SHA256", "sha256")}`]), "4f1c2ab9e0d3");
        assert.equal(commonVersion(["v1", "v2"]), null);
        assert.equal(commonVersion(["latest"]), null);
        assert.equal(commonVersion(["latest-prod"]), null);
        assert.equal(commonVersion([REPO]), null);
    });

    it("a stack file with an image that is not one is refused before anything is planned, naming the key", () => {
        const raw = stackConfig("prod");
        raw["tms:deployment"].green.images["api-gateway"] = "nginx:1.25";
        assert.throws(() => loadStackConfig(flattenConfig(raw), "Pulumi.prod.yaml", "prod"), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.match(e.message, /^Pulumi\.prod\.yaml: tms:deployment\.green\.images\.api-gateway: "nginx:1\.25" is not an image tag/m);
            return true;
        });
    });
});
