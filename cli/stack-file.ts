/**
 * Reading Pulumi stack files (Pulumi.<stack>.yaml) into the flat config map the Pulumi runtime
 * hands a program: `namespace:key` → string, structured values as JSON text.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackFile {
    /** Path as given (used in messages). */
    source: string;
    config: Record<string, string>;
    /** Keys whose values were `secure:` (cannot be decrypted offline; replaced by a placeholder). */
    secretKeys: string[];
}

export class StackFileError extends Error {}

export function stackFilePath(stack: string): string {
    return path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
}

/** Flatten one config value the way the Pulumi CLI passes it to a program. */
function flatten(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

export function readStackFile(file: string, source = file): StackFile {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new StackFileError(`${source}: cannot read the stack file (${err.code ?? err.message})`);
    }
    let doc: unknown;
    try {
        doc = YAML.parse(text);
    } catch (e) {
        throw new StackFileError(`${source}: not valid YAML: ${String((e as Error).message).split("\n")[0]}`);
    }
    const cfg = (doc as { config?: unknown } | null)?.config;
    if (cfg === undefined || cfg === null) return { source, config: {}, secretKeys: [] };
    if (typeof cfg !== "object" || Array.isArray(cfg)) throw new StackFileError(`${source}: config: must be a mapping of keys to values`);
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(cfg)) {
        if (!/^[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+$/.test(key)) {
            throw new StackFileError(`${source}: ${key}: config keys must be "namespace:name" (e.g. tms:database)`);
        }
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
            config[key] = "[secret]";
            secretKeys.push(key);
            continue;
        }
        config[key] = flatten(value);
    }
    return { source, config, secretKeys };
}
