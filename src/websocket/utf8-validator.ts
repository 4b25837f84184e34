// Utf8Validator: incremental UTF-8 validation (RFC 3629 §4) for text messages that arrive in
// pieces. It rejects a bad sequence at the first byte that makes it bad (RFC 6455 §8.1).

const enum Need {
  None = 0,
}

/** Utf8Validator checks bytes as they come; `end()` tells whether the message ended on a boundary. */
export class Utf8Validator {
  #need: number = Need.None; // continuation bytes still expected
  #low = 0x80; // allowed range for the next continuation byte
  #high = 0xbf;

  /** write checks more bytes; false means the text is not UTF-8. */
  write(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let need = this.#need;
    let low = this.#low;
    let high = this.#high;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (need === 0) {
        if (b < 0x80) continue;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) low = 0xa0; // no overlong 3-byte forms
          else if (b === 0xed) high = 0x9f; // no UTF-16 surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) low = 0x90; // no overlong 4-byte forms
          else if (b === 0xf4) high = 0x8f; // nothing above U+10FFFF
        } else return false;
        continue;
      }
      if (b < low || b > high) return false;
      low = 0x80;
      high = 0xbf;
      need--;
    }
    this.#need = need;
    this.#low = low;
    this.#high = high;
    return true;
  }

  /** end reports whether the bytes so far end on a code point boundary, and resets. */
  end(): boolean {
    const ok = this.#need === 0;
    this.#need = 0;
    this.#low = 0x80;
    this.#high = 0xbf;
    return ok;
  }
}
