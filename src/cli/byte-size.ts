// Sizes on the command line, as nginx's client_max_body_size writes them: bytes, or k, m, g.

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * parseByteSize reads `123`, `64k`, `16m` or `1g` (1024-based, any case) as bytes; `0` means no
 * limit and gives Infinity. It returns null for anything else.
 */
export function parseByteSize(text: string): number | null {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (m === null) return null;
  const bytes = Number(m[1]) * UNITS[m[2].toLowerCase()];
  if (!Number.isSafeInteger(bytes)) return null;
  return bytes === 0 ? Infinity : bytes;
}
