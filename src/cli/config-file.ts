// The sockserve.json config file: found in DIR (or given by --config FILE), read, validated at
// start with one line naming the bad key, and merged under the command line (flags win).
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { RulesError, validateRules, type StaticRules } from "../index.js";
import { UsageError, type CliOptions } from "./args.js";

/** CONFIG_NAME is the file looked for in the served directory. */
export const CONFIG_NAME = "sockserve.json";
/** MAX_CONFIG_BYTES bounds the config file. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** ConfigFile is a validated config file: its rules, the settings flags also set, and its URL path if served. */
export interface ConfigFile {
  label: string;
  rules: StaticRules;
  settings: { listing?: boolean; cache?: number; cors?: boolean };
  /** hide is the file's own URL path when it lies under DIR (it is answered with 404). */
  hide: string[];
}

const SETTINGS = ["$schema", "listing", "cache", "cors"];

/** loadConfig reads `--config FILE`, or DIR/sockserve.json when it exists; null when there is none. Throws UsageError. */
export function loadConfig(opts: CliOptions, root: string): ConfigFile | null {
  const file = opts.config !== undefined ? resolve(opts.config) : join(root, CONFIG_NAME);
  const label = opts.config ?? join(opts.dir, CONFIG_NAME);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined && opts.config === undefined) return null;
  if (stat === undefined) throw new UsageError(`${label}: no such file`);
  if (!stat.isFile()) throw new UsageError(`${label}: not a file`);
  if (stat.size > MAX_CONFIG_BYTES) throw new UsageError(`${label}: larger than ${MAX_CONFIG_BYTES} bytes`);
  let value: unknown;
  try {
    const text = readFileSync(file, "utf8");
    value = parseJson(text, label);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${label}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return { label, ...validateConfig(value, label), hide: hiddenPath(file, root) };
}

/** validateConfig checks a parsed config file (settings and rules); UsageError names `label` and the bad key. */
export function validateConfig(value: unknown, label: string): Pick<ConfigFile, "rules" | "settings"> {
  const { settings, rest } = splitSettings(value, label);
  try {
    return { rules: validateRules(rest), settings };
  } catch (err) {
    if (!(err instanceof RulesError)) throw err;
    const topLevel = !/[.[]/.test(err.key); // its list of known keys also has the settings
    throw new UsageError(`${label}: ${topLevel ? err.message.replace("(expected ", `(expected ${SETTINGS.join(", ")}, `) : err.message}`);
  }
}

/** applyConfig merges the file's settings under the command line: a flag given wins over the file. */
export function applyConfig(opts: CliOptions, config: ConfigFile | null): CliOptions {
  if (config === null) return opts;
  const s = config.settings;
  return {
    ...opts,
    listing: opts.listing && (s.listing ?? true), // --no-listing wins
    cache: opts.cache ?? s.cache,
    cors: opts.cors || (s.cors ?? false),
  };
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    // V8 writes "Unexpected token '}', ...excerpt... is not valid JSON" or "... in JSON at position N".
    const message = (err as Error).message.split(/, (?:\.\.\.)?"/)[0];
    const at = /^(.*) in JSON at position (\d+)/.exec(message);
    const what = at === null ? message : `${at[1]} (line ${lineOf(text, Number(at[2]))})`;
    throw new UsageError(`${label}: not valid JSON: ${what.replace(/\s+/g, " ")}`);
  }
}

function lineOf(text: string, position: number): number {
  return text.slice(0, position).split("\n").length;
}

function splitSettings(value: unknown, label: string): { settings: ConfigFile["settings"]; rest: unknown } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${label}: must be a JSON object`);
  const o = value as Record<string, unknown>;
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => !SETTINGS.includes(k)));
  const settings: ConfigFile["settings"] = {};
  if (o.$schema !== undefined && typeof o.$schema !== "string") throw new UsageError(`${label}: $schema must be a string`);
  for (const key of ["listing", "cors"] as const) {
    if (o[key] === undefined) continue;
    if (typeof o[key] !== "boolean") throw new UsageError(`${label}: ${key} must be true or false`);
    settings[key] = o[key];
  }
  if (o.cache !== undefined) {
    if (!Number.isInteger(o.cache) || (o.cache as number) < 0 || (o.cache as number) > 2 ** 31 - 1) throw new UsageError(`${label}: cache must be a whole number of seconds from 0 to 2147483647`);
    settings.cache = o.cache as number;
  }
  return { settings, rest };
}

/** hiddenPath is the config file's URL path when it lies under the root, so it is never served. */
function hiddenPath(file: string, root: string): string[] {
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(file);
    realRoot = realpathSync(root);
  } catch {
    return [];
  }
  const paths = new Set<string>();
  for (const [f, r] of [[file, root], [real, realRoot]] as const) {
    const rel = relative(r, f);
    if (rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep)) paths.add(`/${rel.split(sep).join("/")}`);
  }
  return [...paths];
}
