// redactUrl: a broker URL as it may be logged, with its password hidden.

/** redactUrl hides the password of a URL (and says so when it does not parse). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.href;
  } catch {
    return "(invalid URL)";
  }
}
