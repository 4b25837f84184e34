// Lint configuration: typescript-eslint's recommended rules over sources, tests, bench and examples.
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
    // Scripts that run in the browser.
    files: ["apps/*/public/**/*.js", "examples/*/public/**/*.js"],
    languageOptions: {
      globals: { document: "readonly", window: "readonly", location: "readonly", WebSocket: "readonly", alert: "readonly", EventSource: "readonly" },
    },
  },
);
