// Loaded first by test/engine/.mocharc.json: the AWS SDK's Node-version notice is printed once per process
// on import; the commands turn it off the same way (cli/run-main.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
