// ESLint (flat config), run by `npm test`: typescript-eslint's recommended rules without type information
// (type-aware linting would double the test time), at most 140 characters a line in shipped code, and no
// comment pointing at something outside the repository (an issue number, a review, a session).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Shipped code held to the 140-character line limit.
const SHIPPED = ["components/**/*.ts", "config/**/*.ts", "policy/**/*.ts", "automation/**/*.ts", "cli/**/*.ts", "index.ts", "bin/**/*.js"];

// A comment must give its reason itself, not point at an issue or pull-request number of this project, a review,
// a session or a stop that a reader of the repository cannot open. URLs and `owner/repo#N` citations of public
// projects (AWS, Pulumi, the AWS provider) are citations and allowed.
const OUTSIDE_REFERENCE = /\bissues?[ -]#?\d+|(^|[\s(])#\d+\b|\bthe review\b|\breport of (issue|the review)|\bsessions? \d+|\bstop \d+/i;
const noOutsideReferences = {
    meta: { type: "suggestion", schema: [], messages: { outside: "comment points outside the repository ('{{match}}'): say the reason itself" } },
    create(context) {
        return {
            Program() {
                for (const comment of context.sourceCode.getAllComments()) {
                    let text = comment.value.replace(/https?:\/\/\S+/g, "");
                    if (/[\w-]+\/[\w.-]+#\d/.test(text)) text = text.replace(/#\d+/g, "");
                    const m = OUTSIDE_REFERENCE.exec(text);
                    if (m) context.report({ loc: comment.loc, messageId: "outside", data: { match: m[0].trim() } });
                }
            },
        };
    },
};

export default tseslint.config(
    {
        ignores: [
            "dist/**", "**/node_modules/**", ".stryker-tmp/**", "reports/**", ".pulumi/**", ".pulumi-offline/**", ".rollout/**",
            "deployments/**", "tools/pulumi-cli/bin/**", "tools/sandbox/.build/**", "tools/actionlint/bin/**",
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        plugins: { tms: { rules: { "no-outside-references": noOutsideReferences } } },
        rules: {
            "tms/no-outside-references": "error",
            // The same convention as tsc's noUnusedLocals/noUnusedParameters: a leading `_` marks a name unused on purpose.
            "@typescript-eslint/no-unused-vars": ["error", {
                argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true,
            }],
            // Terminal output is matched and stripped with ANSI escape sequences (\x1b) on purpose.
            "no-control-regex": "off",
            // `any` is refused in the program and the rollout code (below); the policy pack reads untyped resource
            // props the engine hands it, and tools and tests read untyped JSON (stack exports, fixtures).
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
    {
        // Tools and tests load modules lazily or fresh (after setting mocks or env) with require().
        files: ["tools/**/*.ts", "test/**/*.ts", "**/*.js"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
    },
    {
        files: SHIPPED,
        rules: { "max-len": ["error", { code: 140, tabWidth: 4, ignoreUrls: true }] },
    },
    {
        // Untyped values here are `unknown` and narrowed: parsed YAML, SDK errors, stack outputs.
        files: SHIPPED.filter((g) => !g.startsWith("policy/") && !g.endsWith(".js")),
        rules: { "@typescript-eslint/no-explicit-any": "error" },
    },
);
