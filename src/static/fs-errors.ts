// The errors a file system lookup is expected to meet, and what each means to a client: "not
// allowed" (403, worth a log line) or "not there" (404). Anything else is a fault and gets a 500.

/** DeniedCode is an errno code that means the server may not read a path. */
export type DeniedCode = "EACCES" | "EPERM";

// A name too long, a file where a directory was expected, a symlink loop, a directory where a
// file was expected: each means there is no such file to serve.
const ABSENT = new Set(["ENOENT", "ENOTDIR", "ENAMETOOLONG", "ELOOP", "EISDIR"]);

/** errnoCode returns the `code` of a Node system error, or null for anything else. */
export function errnoCode(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : null;
}

/** deniedCode returns EACCES or EPERM when `err` says the server may not read a path, else null. */
export function deniedCode(err: unknown): DeniedCode | null {
  const code = errnoCode(err);
  return code === "EACCES" || code === "EPERM" ? code : null;
}

/** isAbsentError tells whether `err` says the path does not exist as something servable. */
export function isAbsentError(err: unknown): boolean {
  return ABSENT.has(errnoCode(err) ?? "");
}
