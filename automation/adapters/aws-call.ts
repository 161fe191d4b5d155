/**
 * One wrapper for every AWS SDK call the adapters make, so that a failure always names the call
 * (`DynamoDB PutItem failed: ThrottlingException: Rate exceeded`) and no call can hang a rollout:
 * each gets an abort signal with a timeout.
 */
export class AwsCallError extends Error {
    constructor(
        readonly call: string,
        readonly code: string,
        detail: string,
    ) {
        super(`${call} failed: ${code}: ${detail}`);
        this.name = "AwsCallError";
    }
}

/** Default per-call timeout. AWS answers control-plane calls in well under a second normally. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** The options object SDK v3 `client.send(command, options)` accepts. */
export interface SendOptions {
    abortSignal: AbortSignal;
}

/**
 * Run `fn` (one `client.send`) with a timeout, translating failures into {@link AwsCallError}.
 * `pass` lets a caller keep an SDK error it handles itself (e.g. ConditionalCheckFailedException).
 */
export async function awsCall<T>(
    call: string,
    fn: (opts: SendOptions) => Promise<T>,
    opts: { timeoutMs?: number; pass?: (e: unknown) => boolean } = {},
): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
            controller.abort();
            reject(new AwsCallError(call, "Timeout", `no answer within ${timeoutMs} ms`));
        }, timeoutMs);
    });
    try {
        return await Promise.race([fn({ abortSignal: controller.signal }), timeout]);
    } catch (e) {
        if (e instanceof AwsCallError) throw e;
        if (opts.pass?.(e)) throw e;
        const err = e as { name?: string; message?: string };
        throw new AwsCallError(call, err?.name ?? "Error", err?.message ?? String(e));
    } finally {
        clearTimeout(timer);
    }
}

export const errorName = (e: unknown) => (e as { name?: string })?.name;
