// openssl s_client as a test client: one connection with the given flags, stdin closed, and what
// it printed (the peer certificate's subject, the protocol, whether the session was reused).
import { execFile } from "node:child_process";

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
