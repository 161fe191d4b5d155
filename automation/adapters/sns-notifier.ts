/**
 * Rollout notifications on SNS (guide, "Notification Procedures"): start, promotion, an unlock of an
 * expired lease and a cleanup go to the warning topic; rollback, halt, error and a forced unlock to
 * the critical one (they page). Topics come from the stack
 * outputs `alertTopics.warning` / `alertTopics.critical`, or the CLI's flags.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { awsCall } from "./aws-call";

export type NotificationKind =
    | "start"
    | "promoted"
    | "rolled_back"
    | "halted"
    | "refused"
    | "error"
    | "unlocked"
    | "unlock_forced"
    | "scaled_down"
    | "interrupted"
    | "abandoned";

/** Kinds that inform (warning topic); the others page (critical topic). A forced unlock pages: a live runner lost its lock. */
const INFORMATIONAL: readonly NotificationKind[] = ["start", "promoted", "unlocked", "scaled_down"];

export interface Notification {
    kind: NotificationKind;
    stack: string;
    rolloutId: string;
    subject: string;
    message: string;
}

export interface Notifier {
    notify(n: Notification): Promise<void>;
}

export interface AlertTopics {
    warning?: string;
    critical?: string;
}

/** Which topic a notification goes to. Pure. */
export function topicFor(kind: NotificationKind, topics: AlertTopics): string | undefined {
    return INFORMATIONAL.includes(kind) ? topics.warning ?? topics.critical : topics.critical ?? topics.warning;
}

export class SnsNotifier implements Notifier {
    constructor(
        private readonly client: SNSClient,
        private readonly topics: AlertTopics,
        private readonly callTimeoutMs?: number,
    ) {}

    async notify(n: Notification): Promise<void> {
        const topic = topicFor(n.kind, this.topics);
        if (!topic) return;
        await awsCall("SNS Publish", (o) => this.client.send(new PublishCommand({
            TopicArn: topic,
            // SNS subjects: at most 100 printable ASCII characters.
            Subject: n.subject.replace(/[^\x20-\x7e]/g, "-").slice(0, 100),
            Message: n.message,
            MessageAttributes: {
                kind: { DataType: "String", StringValue: n.kind },
                stack: { DataType: "String", StringValue: n.stack },
                rolloutId: { DataType: "String", StringValue: n.rolloutId },
            },
        }), o), { timeoutMs: this.callTimeoutMs });
    }
}
