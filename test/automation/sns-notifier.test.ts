import { strict as assert } from "assert";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { SnsNotifier, topicFor } from "../../automation/adapters/sns-notifier";

const sns = mockClient(SNSClient);
const topics = { warning: "arn:aws:sns:us-east-1:1:tms-prod-warning", critical: "arn:aws:sns:us-east-1:1:tms-prod-critical" };

describe("SNS notifications", () => {
    beforeEach(() => sns.reset());

    it("start and promotion go to the warning topic; rollback, halt and errors page on the critical one", () => {
        assert.equal(topicFor("start", topics), topics.warning);
        assert.equal(topicFor("promoted", topics), topics.warning);
        for (const k of ["rolled_back", "halted", "error"] as const) assert.equal(topicFor(k, topics), topics.critical);
        assert.equal(topicFor("halted", { warning: topics.warning }), topics.warning, "falls back to the topic there is");
    });

    it("publishes subject, message and attributes; errors name the call", async () => {
        sns.on(PublishCommand).resolves({ MessageId: "1" });
        const n = new SnsNotifier(new SNSClient({ region: "us-east-1" }), topics, 200);
        await n.notify({ kind: "rolled_back", stack: "prod", rolloutId: "r1", subject: "prod: v2 rolled back — errors", message: "details" });
        const input = sns.commandCalls(PublishCommand)[0].args[0].input;
        assert.equal(input.TopicArn, topics.critical);
        assert.equal(input.Subject, "prod: v2 rolled back - errors", "SNS subjects are ASCII");
        assert.equal(input.Message, "details");
        assert.deepEqual(input.MessageAttributes!.kind, { DataType: "String", StringValue: "rolled_back" });
        sns.on(PublishCommand).rejects(Object.assign(new Error("User is not authorized to perform: SNS:Publish"), { name: "AuthorizationError" }));
        await assert.rejects(n.notify({ kind: "start", stack: "prod", rolloutId: "r1", subject: "s", message: "m" }), /SNS Publish failed: AuthorizationError/);
        await new SnsNotifier(new SNSClient({ region: "us-east-1" }), {}).notify({ kind: "start", stack: "prod", rolloutId: "r", subject: "s", message: "m" });
        assert.equal(sns.commandCalls(PublishCommand).length, 2, "no topic configured: nothing is sent");
    });
});
