/**
 * SST-style `transform` hooks: a component lets its user adjust the args (and options) of the children
 * they would want to tune, without forking the component. The form follows SST v3's
 * (sst/sst platform/src/components/component.ts@0a66355068adbe72b69dce8e6f3a87801a753614):
 *
 *   - an object is merged over the args the component computed (shallow: a key given replaces the key);
 *   - a function receives the computed args, the resource options and the child's name, and edits them in place.
 *
 * Without a transform the child is registered with exactly the args the component computed.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Adjusts one child's args: an object merged over them, or a function that edits args and options in place. */
export type Transform<T> = Partial<T> | ((args: T, opts: pulumi.CustomResourceOptions, name: string) => void);

/**
 * The constructor arguments of a child after its transform: `new aws.s3.Bucket(...transform(t, name, args, opts))`.
 * Pure apart from what a function transform itself does to `args` and `opts`.
 */
export function transform<T extends object>(
    hook: Transform<T> | undefined,
    name: string,
    args: T,
    opts: pulumi.CustomResourceOptions,
): [string, T, pulumi.CustomResourceOptions] {
    if (typeof hook === "function") {
        hook(args, opts, name);
        return [name, args, opts];
    }
    return [name, hook ? { ...args, ...hook } : args, opts];
}
