// Lint configuration: typescript-eslint's recommended rules over sources, tests, bench and
// examples, and rules that need type information for the TypeScript files (no floating
// promises, no assertion that changes nothing).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "artifacts/", "data/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", fetch: "readonly",
        Response: "readonly", Request: "readonly", Headers: "readonly", ReadableStream: "readonly",
        TextEncoder: "readonly", TextDecoder: "readonly", AbortController: "readonly", Blob: "readonly",
        FormData: "readonly", URLSearchParams: "readonly", setImmediate: "readonly", queueMicrotask: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's describe/it return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["describe", "it", "test", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
    },
  },
  {
    // Scripts that run in the browser.
    files: ["apps/*/public/**/*.js", "examples/*/public/**/*.js"],
    languageOptions: {
      globals: { document: "readonly", window: "readonly", location: "readonly", WebSocket: "readonly", alert: "readonly", EventSource: "readonly" },
    },
  },
);
