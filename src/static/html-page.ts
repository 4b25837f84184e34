// The look shared by the static handler's HTML pages: directory listings and error pages for
// browsers (a 404 for `Accept: text/html` is a page, not bare text).

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.3rem;word-break:break-all}table{border-collapse:collapse;width:100%}
td,th{padding:.3rem .6rem;text-align:left;border-bottom:1px solid #eee}td.n,th.n{text-align:right;white-space:nowrap}
a{color:#0550ae;text-decoration:none}a:hover{text-decoration:underline}footer{color:#888;font-size:.8rem;margin-top:1rem}`;

/** escapeHtml makes text safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** htmlPage wraps `body` (already HTML) in the shared page, under an escaped `title` heading. */
export function htmlPage(title: string, body: string): string {
  const heading = escapeHtml(title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading}</title>
<style>${STYLE}</style>
</head><body><h1>${heading}</h1>
${body}<footer>sockserve</footer></body></html>
`;
}

/** errorPage is the page for an error status: `statusLine` ("404 Not Found") and one sentence. */
export function errorPage(statusLine: string, sentence: string): string {
  return htmlPage(statusLine, `<p>${escapeHtml(sentence)}</p>`);
}
