// openssl s_client as a test client: one connection with the given flags, stdin closed, and what
// it printed (the peer certificate's subject, the protocol, whether the session was reused); and
// openssl sess_id reading a session file s_client saved (its ticket's key name and lifetime hint).
import { execFile, execFileSync } from "node:child_process";

/** SClient is what one s_client run printed. */
export interface SClient {
  code: number | null;
  /** text is stdout and stderr together. */
  text: string;
  /** subject is the server certificate's subject line ("CN = a.test"), or "". */
  subject: string;
  /** session is "New" or "Reused" (from "New, TLSv1.3, Cipher is ..."), or "". */
  session: string;
}

/** sClient runs `openssl s_client -connect 127.0.0.1:port ...args`, writes `input` and closes stdin (10 s at most). */
export function sClient(port: number, args: string[], input = ""): Promise<SClient> {
  return new Promise((resolve) => {
    const child = execFile("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      const text = `${stdout}${stderr}`;
      resolve({
        code: err === null ? 0 : typeof err.code === "number" ? err.code : null,
        text,
        subject: /^subject=\s*(.*)$/m.exec(text)?.[1]?.trim() ?? "",
        session: /^(New|Reused), /m.exec(text)?.[1] ?? "",
      });
    });
    child.stdin!.end(input);
  });
}

/** SessionTicket is what a saved session says of its ticket. */
export interface SessionTicket {
  /** keyName is the ticket's first 16 bytes in hex: the name of the server key that encrypted it. */
  keyName: string;
  /** lifetimeHint is the ticket lifetime the server announced, in seconds. */
  lifetimeHint: number;
}

/** sessionTicket reads a file of `s_client -sess_out` with `openssl sess_id -text`. */
export function sessionTicket(file: string): SessionTicket {
  const text = execFileSync("openssl", ["sess_id", "-in", file, "-noout", "-text"], { encoding: "utf8" });
  const firstLine = /TLS session ticket:\n\s*0000 - ([0-9a-f -]{47})/.exec(text)?.[1];
  if (firstLine === undefined) throw new Error(`no session ticket in ${file}:\n${text}`);
  return { keyName: firstLine.replace(/[ -]/g, ""), lifetimeHint: Number(/lifetime hint: (\d+)/.exec(text)?.[1]) };
}
