// The CLI's TLS flags: --tls-cert/--tls-key (one certificate, the default), --tls-dir (one
// NAME.crt/NAME.key pair per SNI name) and --tls-self-signed (a cached local certificate).

/** TLS_FLAGS are the TLS options for node:util parseArgs. */
export const TLS_FLAGS = {
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-dir": { type: "string" },
  "tls-self-signed": { type: "boolean" },
} as const;

/** TLS_HELP are the --help lines of the TLS flags. */
export const TLS_HELP = `      --tls-cert FILE     serve HTTPS with this PEM certificate (with --tls-key); reloaded on SIGHUP
      --tls-key FILE      the PEM private key for --tls-cert
      --tls-dir DIR       serve HTTPS with one certificate per server name (SNI): DIR/NAME.crt and
                          DIR/NAME.key, _wildcard.NAME for *.NAME; the default is --tls-cert's,
                          else the first NAME in sorted order; reloaded on SIGHUP
      --tls-self-signed   serve HTTPS with a certificate for localhost, 127.0.0.1 and ::1, made once
                          and kept in $XDG_CACHE_HOME/sockserve (or ~/.cache/sockserve)
`;

/** TlsSpec says where the CLI's certificates come from. */
export interface TlsSpec {
  cert?: { certFile: string; keyFile: string };
  dir?: string;
  selfSigned: boolean;
}

type TlsValues = { "tls-cert"?: string | undefined; "tls-key"?: string | undefined; "tls-dir"?: string | undefined; "tls-self-signed"?: boolean | undefined };

/** tlsSpec checks the TLS flags; `usage` reports a bad combination. Without any it returns undefined (plain HTTP). */
export function tlsSpec(v: TlsValues, usage: (message: string) => never): TlsSpec | undefined {
  const certFile = v["tls-cert"];
  const keyFile = v["tls-key"];
  if ((certFile === undefined) !== (keyFile === undefined)) usage("--tls-cert and --tls-key go together");
  const selfSigned = v["tls-self-signed"] === true;
  const files = certFile !== undefined || v["tls-dir"] !== undefined;
  if (selfSigned && files) usage("--tls-self-signed makes its own certificate: drop --tls-cert, --tls-key and --tls-dir");
  if (!selfSigned && !files) return undefined;
  return {
    ...(certFile !== undefined && keyFile !== undefined ? { cert: { certFile, keyFile } } : {}),
    ...(v["tls-dir"] !== undefined ? { dir: v["tls-dir"] } : {}),
    selfSigned,
  };
}
