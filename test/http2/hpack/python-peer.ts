// PythonPeer: Debian's python3-hpack (/usr/bin/python3) as a child process, driven by one JSON
// line per request through hpack-peer.py; answers are awaited on stdout lines, never by sleeping.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";

const script = join(import.meta.dirname, "hpack-peer.py");

/** PythonPeer holds one python encoder and one python decoder, whose tables persist across requests. */
export class PythonPeer {
  #child: ChildProcessWithoutNullStreams;
  #waiting: { resolve: (answer: Record<string, unknown>) => void; reject: (err: Error) => void }[] = [];
  #stderr = "";

  constructor() {
    this.#child = spawn("/usr/bin/python3", [script], { env: { ...process.env, PYTHONIOENCODING: "utf-8" } });
    this.#child.stderr.setEncoding("utf8").on("data", (text: string) => (this.#stderr += text));
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#waiting.shift()?.resolve(JSON.parse(line)));
    this.#child.on("exit", (code) => {
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(`python exited (${code}): ${this.#stderr}`));
    });
  }

  /** request sends one request and resolves with python's answer; an answer with `error` rejects. */
  async request<T>(req: Record<string, unknown>): Promise<T> {
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#child.stdin.write(JSON.stringify(req) + "\n");
    });
    if (typeof answer.error === "string") throw new Error(`python: ${answer.error}`);
    return answer as T;
  }

  /** close ends python's input and waits for it to exit. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, "exit");
    this.#child.stdin.end();
    await exited;
  }
}
