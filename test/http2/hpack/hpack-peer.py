# A python3-hpack peer for test/http2/hpack/python-cross.test.ts: one JSON request a line on
# stdin, one JSON answer a line on stdout. Strings travel as latin1 (one char an octet).
import json
import sys

from hpack import Decoder, Encoder, NeverIndexedHeaderTuple
from hpack.huffman_constants import REQUEST_CODES, REQUEST_CODES_LENGTH
from hpack.table import HeaderTable

encoder = Encoder()
decoder = Decoder()
decoder.max_header_list_size = 1 << 24


def latin1(data):
    return bytes(data).decode("latin1")


def entries(table):
    return [[latin1(name), latin1(value)] for name, value in table.dynamic_entries]


def encode(req):
    for size in req.get("tableSizes", []):
        encoder.header_table_size = size
    headers = [(name.encode("latin1"), value.encode("latin1"), sensitive) for name, value, sensitive in req["fields"]]
    block = encoder.encode(headers, huffman=req["huffman"])
    return {"hex": block.hex(), "table": entries(encoder.header_table)}


def decode(req):
    if "maxTableSize" in req:
        decoder.max_allowed_table_size = req["maxTableSize"]
    fields = decoder.decode(bytes.fromhex(req["hex"]), raw=True)
    listed = [[latin1(f[0]), latin1(f[1]), isinstance(f, NeverIndexedHeaderTuple)] for f in fields]
    return {"fields": listed, "table": entries(decoder.header_table)}


def tables(_req):
    static = [[latin1(name), latin1(value)] for name, value in HeaderTable.STATIC_TABLE]
    return {"codes": list(REQUEST_CODES), "lengths": list(REQUEST_CODES_LENGTH), "static": static}


OPS = {"encode": encode, "decode": decode, "tables": tables}

for line in sys.stdin:
    req = json.loads(line)
    try:
        answer = OPS[req["op"]](req)
    except Exception as err:  # the test reports it
        answer = {"error": f"{type(err).__name__}: {err}"}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
