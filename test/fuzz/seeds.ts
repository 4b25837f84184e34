// Seed inputs for the fuzzer: valid and broken requests, chunked bodies and WebSocket frames.

/** HTTP_SEEDS are whole requests (latin1). */
export const HTTP_SEEDS: string[] = [
  "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  "GET /p?q=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=\"q\"\r\n world\r\n0\r\nT: 1\r\n\r\n",
  "PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "OPTIONS * HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
  "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n",
  "GET http://a/b HTTP/1.1\r\nHost: a\r\nX:  v \r\nY:\r\n\r\n",
  "\r\n\r\nGET / HTTP/1.1\r\nHost: [::1]:80\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
  "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
];

/** WS_SEEDS are masked client frames, in hex. */
export const WS_SEEDS: string[] = [
  "81 85 37fa213d 7f9f4d51 58", // "Hello"
  "01 83 00000000 48656c 80 82 00000000 6c6f", // fragmented "Hel" + "lo"
  "01 81 00000000 41 89 80 00000000 80 81 00000000 42", // fragment, ping, continuation
  "82 fe 0080 00000000 " + "00".repeat(128), // 16-bit length
  "88 82 00000000 03e8", // close 1000
  "8a 80 00000000", // pong
  "c1 83 00000000 f248cd", // RSV1 (compressed) text
  "82 ff 0000000000000100 00000000 " + "ab".repeat(256), // 64-bit length
];
