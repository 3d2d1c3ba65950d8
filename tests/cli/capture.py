#!/usr/bin/env python3
"""Synthetic TCP captures of NNRP traffic for the capture-replay tests (no root, no live capture).

usage: capture.py OUTDIR VECTORS_DIR

Builds the captures from the shared vectors (a valid packet of every message type, and
result_push_stale.bin as a malformed one).  Writes into OUTDIR:
  session.pcap     Ethernet/IPv4 and IPv6 TCP connections on port 9444: handshakes, packets
                   split across segments and several packets in one segment, segments out of
                   order and retransmitted, a sequence number wrap, port reuse, traffic on
                   another port, FIN and RST
  session.pcapng   the same frames as pcapng
  raw.pcap         one connection with link type RAW (no Ethernet header)
  bad.pcap         broken streams between good ones: a malformed packet, a stream without
                   NNRP framing, an unfinished packet, bytes missing from the capture (a
                   lost segment, a cut snap length)
  cut.pcap         session.pcap cut in the middle of a record
  expected.tsv     every NNRP packet of session.pcap in the order a correct reader completes
                   them (modelled here, independently of the tools under test):
                   time  connection  direction  msg_type  session_id  frame_id  meta_len
                   body_len
  expected_raw.tsv the same for raw.pcap
"""
import json
import os
import struct
import sys

PORT = 9444


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Capture:
    """Frames (time in microseconds, link bytes, original length) and the packets a reader
    completes, by frame."""

    def __init__(self):
        self.frames = []
        self.time = 1700000000 * 1000000
        self.expected = []  # (frame index, line)

    def tick(self):
        self.time += 250
        return self.time

    def add(self, frame, orig_len=None):
        self.frames.append((self.tick(), frame, orig_len or len(frame)))
        return len(self.frames) - 1

    def pcap(self, linktype=1, cut_at=None):
        out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype)
        for t, frame, orig in self.frames:
            out += struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), orig) + frame
        return out if cut_at is None else out[:cut_at]

    def pcapng(self):
        def block(kind, body):
            body += b"\0" * ((4 - len(body) % 4) % 4)
            n = 12 + len(body)
            return struct.pack("<II", kind, n) + body + struct.pack("<I", n)

        out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        out += block(1, struct.pack("<HHI", 1, 0, 262144))
        for t, frame, orig in self.frames:
            out += block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(frame), orig)
                         + frame)
        return out


class Conn:
    """One TCP connection: client and server endpoints, sequence numbers, the reader model."""

    count = 0

    def __init__(self, cap, client, server, cport, sport=PORT, v6=False, raw=False,
                 isn=(1000, 5000)):
        # Only connections on the NNRP port are numbered, as the reader numbers them.
        if sport == PORT:
            Conn.count += 1
        self.id = Conn.count if sport == PORT else 0
        self.cap, self.v6, self.raw = cap, v6, raw
        self.ends = [(client, cport), (server, sport)]
        self.seq = [isn[0], isn[1]]  # next sequence number to send, per direction
        self.isn = list(isn)
        self.delivered = [0, 0]  # reader model: contiguous bytes per direction
        self.held = [[], []]  # (offset, bytes) past a hole
        self.stream = [b"", b""]  # reassembled bytes not yet cut into packets
        self.stream_at = [0, 0]
        self.sent = [0, 0]  # stream offset of the next byte to send
        self.lost = [False, False]  # the reader saw a hole it cannot fill: stop modelling

    def frame(self, d, seq, flags, payload=b"", missing=0):
        (src, sp), (dst, dp) = self.ends[d], self.ends[1 - d]
        ack = self.seq[1 - d] & 0xFFFFFFFF
        tcp = struct.pack("!HHIIBBHHH", sp, dp, seq & 0xFFFFFFFF, ack, 5 << 4, flags, 65535, 0, 0)
        if self.v6:
            ip = struct.pack("!IHBB", 6 << 28, len(tcp) + len(payload) + missing, 6, 64)
            ip += src + dst
            eth_type = 0x86DD
        else:
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload) + missing,
                             self.id, 0x4000, 64, 6, 0, src, dst)
            ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
            eth_type = 0x0800
        pkt = ip + tcp + payload
        if self.raw:
            return self.cap.add(pkt, len(pkt) + missing)
        eth = bytes([2, 0, 0, 0, 0, 1 + (1 - d)]) + bytes([2, 0, 0, 0, 0, 1 + d])
        eth += struct.pack("!H", eth_type)
        frame = eth + pkt
        return self.cap.add(frame, len(frame) + missing)

    def handshake(self):
        self.frame(0, self.isn[0], 0x02)
        self.seq[0] += 1
        self.frame(1, self.isn[1], 0x12)
        self.seq[1] += 1
        self.frame(0, self.seq[0], 0x10)
        self.base = [self.seq[0], self.seq[1]]

    def send(self, d, data, cuts=(), order=None, repeat=(), missing_last=0):
        """Segments of data cut at the offsets `cuts`, sent in `order`, with the segments of
        `repeat` sent again at the end (retransmissions); the last `missing_last` bytes of the
        last segment are not kept by the capture (snap length)."""
        bounds = [0] + list(cuts) + [len(data)]
        segs = [(bounds[i], data[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]
        start_seq, start = self.seq[d], self.sent[d]
        for i in list(order if order is not None else range(len(segs))) + list(repeat):
            off, chunk = segs[i]
            keep = chunk
            miss = 0
            if i == len(segs) - 1 and missing_last:
                keep, miss = chunk[:-missing_last], missing_last
            idx = self.frame(d, start_seq + off, 0x18, keep, miss)
            self.model(d, start + off, keep, idx)
        self.seq[d] += len(data)
        self.sent[d] += len(data)

    def skip(self, d, n):
        """n bytes the capture never saw (a lost segment)."""
        self.seq[d] += n
        self.sent[d] += n

    def fin(self, d):
        self.frame(d, self.seq[d], 0x11)
        self.seq[d] += 1

    def rst(self, d):
        self.frame(d, self.seq[d], 0x04)

    # ---- the reader model: what a correct reassembler hands over, packet by packet ----
    def model(self, d, off, data, idx):
        if self.lost[d] or not data:
            return
        if off > self.delivered[d]:
            self.held[d].append((off, data))
            return
        self.take(d, off, data, idx)
        progress = True
        while progress:
            progress = False
            for h in sorted(self.held[d]):
                if h[0] <= self.delivered[d]:
                    self.held[d].remove(h)
                    self.take(d, h[0], h[1], idx)
                    progress = True
                    break

    def take(self, d, off, data, idx):
        skip = self.delivered[d] - off
        if skip >= len(data):
            return
        self.stream[d] += data[skip:]
        self.delivered[d] += len(data) - skip
        while len(self.stream[d]) >= 40:
            meta_len, body_len = struct.unpack_from("<II", self.stream[d], 12)
            total = 40 + meta_len + body_len
            if len(self.stream[d]) < total:
                break
            p = self.stream[d][:total]
            session, frame = struct.unpack_from("<II", p, 20)
            t = self.cap.frames[idx][0]
            self.cap.expected.append((idx, "%d.%06d\t%d\t%s\t%s\t%d\t%d\t%d\t%d" % (
                t // 1000000, t % 1000000, self.id, DIRS[d], MSG_NAMES[p[6]], session, frame,
                meta_len, body_len)))
            self.stream[d] = self.stream[d][total:]
            self.stream_at[d] += total


DIRS = ["client->server", "server->client"]
MSG_NAMES = {
    0x01: "CLIENT_HELLO", 0x02: "SERVER_HELLO_ACK", 0x03: "SESSION_PATCH",
    0x04: "SESSION_PATCH_ACK", 0x05: "CLOSE", 0x06: "ERROR", 0x10: "FRAME_SUBMIT",
    0x11: "FRAME_CANCEL", 0x12: "RESULT_PUSH", 0x13: "RESULT_DROP", 0x14: "CACHE_PUT",
    0x15: "CACHE_ACK", 0x16: "CACHE_INVALIDATE", 0x17: "FLOW_UPDATE", 0x18: "RESULT_HINT",
    0x19: "TRANSPORT_PROBE", 0x1A: "TRANSPORT_PROBE_ACK", 0x1B: "SESSION_MIGRATE",
    0x1C: "SESSION_MIGRATE_ACK", 0x20: "PING", 0x21: "PONG",
}


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(last):
    return bytes([0xFD] + [0] * 14 + [last])


def session_capture(P):
    cap = Capture()
    Conn.count = 0
    # 1: a whole session; the hello split over three segments, two packets in one segment,
    # segments out of order and retransmitted.
    c = Conn(cap, ip4("10.0.0.1"), ip4("10.0.0.2"), 40001)
    c.handshake()
    c.send(0, P["client_hello"], cuts=(10, 50))
    c.send(1, P["server_hello_ack"])
    both = P["frame_submit_changed_tiles"] + P["frame_submit_dense"]
    c.send(0, both, cuts=(100, 700, 2000), order=[0, 2, 1, 3], repeat=[1])
    c.send(1, P["result_push_fresh"] + P["result_push_partial"], cuts=(30,), order=[1, 0])
    c.send(0, P["session_patch"])
    c.send(1, P["session_patch_ack"])
    c.send(0, P["cache_put"])
    c.send(1, P["cache_ack"])
    c.send(0, P["cache_invalidate"])
    c.send(1, P["flow_update"])
    c.send(1, P["result_hint"])
    c.send(0, P["frame_cancel"])
    c.send(1, P["result_drop"])
    c.send(0, P["transport_probe"])
    c.send(1, P["transport_probe_ack"])
    c.send(0, P["ping"])
    c.send(1, P["pong"])
    c.send(1, P["error"])
    c.send(0, P["close"])
    c.fin(0)
    c.fin(1)
    # Traffic on another port is not NNRP traffic.
    o = Conn(cap, ip4("10.0.0.1"), ip4("10.0.0.9"), 40009, sport=80)
    o.handshake()
    o.send(0, b"GET / HTTP/1.1\r\n\r\n")
    # 2: IPv6, the sequence numbers wrap inside a packet; typed and mixed data-plane packets.
    c6 = Conn(cap, ip6(1), ip6(2), 40002, v6=True, isn=(0xFFFFFF00, 0xFFFFFFF0))
    c6.handshake()
    c6.send(0, P["session_migrate"] + P["frame_submit_typed"], cuts=(200,))
    c6.send(1, P["session_migrate_ack"] + P["result_push_typed"], cuts=(17, 90))
    c6.send(0, P["frame_submit_mixed"])
    c6.send(1, P["result_push_mixed"])
    c6.rst(0)
    # 3: the port of connection 1 again (a new SYN): a new connection.
    r = Conn(cap, ip4("10.0.0.1"), ip4("10.0.0.2"), 40001, isn=(77777, 88888))
    r.handshake()
    r.send(0, P["client_hello"])
    r.send(1, P["server_hello_ack"])
    r.fin(0)
    r.fin(1)
    return cap


def raw_capture(P):
    cap = Capture()
    Conn.count = 0
    c = Conn(cap, ip4("192.168.1.5"), ip4("192.168.1.6"), 50000, raw=True)
    c.handshake()
    c.send(0, P["client_hello"] + P["frame_submit_changed_tiles"], cuts=(64,))
    c.send(1, P["server_hello_ack"])
    c.fin(0)
    c.fin(1)
    return cap


def bad_capture(P, bad):
    """Each connection breaks differently (the test knows how)."""
    cap = Capture()
    Conn.count = 0
    # 1: a valid hello, then a malformed RESULT_PUSH: the server direction stops there, the
    # client direction goes on.
    c = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41001)
    c.handshake()
    c.send(0, P["client_hello"])
    c.send(1, P["server_hello_ack"] + bad["malformed"] + P["pong"])
    c.send(0, P["ping"])
    c.fin(0)
    c.fin(1)
    # 2: no NNRP framing at all.
    g = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41002)
    g.handshake()
    g.send(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\0" * 20)
    g.fin(0)
    # 3: a FRAME_SUBMIT cut short by the end of the stream.
    t = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41003)
    t.handshake()
    t.send(0, P["ping"] + P["frame_submit_changed_tiles"][:100])
    t.fin(0)
    # 4: a segment lost from the capture in the middle of a packet.
    l = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41004)
    l.handshake()
    l.send(0, P["ping"])
    hello = P["client_hello"]
    l.send(0, hello[:20])
    l.skip(0, 30)
    l.send(0, hello[50:])
    l.fin(0)
    # 5: the snap length cut the last segment.
    s = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41005)
    s.handshake()
    s.send(0, P["frame_submit_dense"], cuts=(1000,), missing_last=500)
    # 6: all is well again.
    ok = Conn(cap, ip4("10.0.1.1"), ip4("10.0.1.2"), 41006)
    ok.handshake()
    ok.send(0, P["client_hello"])
    ok.send(1, P["server_hello_ack"])
    ok.fin(0)
    ok.fin(1)
    return cap


def write_expected(path, cap):
    with open(path, "w") as f:
        for _, line in sorted(cap.expected, key=lambda e: e[0]):
            f.write(line + "\n")


def load_vectors(vec):
    """The packets the captures carry, by the names the scenarios use."""
    def file(name):
        return open(os.path.join(vec, name), "rb").read()

    named = {}
    for doc in ("wire-control-hex-vectors.json", "wire-data-hex-vectors.json"):
        d = json.load(open(os.path.join(vec, doc)))
        for e in d["vectors"] if "vectors" in d else d["transcribed"] + d["derived"]:
            named[e["name"]] = bytes.fromhex(e["hex"])
    for e in json.load(open(os.path.join(vec, "builder-examples.json")))["examples"]:
        named["builder:" + e["name"]] = bytes.fromhex(e["hex"])
    P = {n: file(n + ".bin") for n in (
        "client_hello", "server_hello_ack", "frame_submit_changed_tiles", "frame_submit_dense",
        "result_push_fresh", "session_patch", "session_patch_ack", "cache_put", "cache_ack",
        "cache_invalidate", "result_drop", "error")}
    for name, vector in (
            ("result_push_partial", "E9.result_push_partial_packet"),
            ("frame_submit_typed", "E3.frame_submit_typed_packet"),
            ("result_push_typed", "E6.result_push_typed_packet"),
            ("frame_submit_mixed", "E5.frame_submit_mixed_packet"),
            ("result_push_mixed", "E7.result_push_mixed_packet"),
            ("flow_update", "current.packet.flow_update"),
            ("result_hint", "current.packet.result_hint"),
            ("frame_cancel", "derived.packet.frame_cancel"),
            ("transport_probe", "derived.packet.transport_probe"),
            ("transport_probe_ack", "builder:transport_probe_ack.basic"),
            ("session_migrate", "derived.packet.session_migrate"),
            ("session_migrate_ack", "derived.packet.session_migrate_ack"),
            ("ping", "derived.packet.ping"),
            ("pong", "derived.packet.pong"),
            ("close", "derived.packet.close_smoke")):
        P[name] = named[vector]
    return P, {"malformed": file("result_push_stale.bin")}


def main():
    out, vec = sys.argv[1], sys.argv[2]
    P, bad = load_vectors(vec)
    cap = session_capture(P)
    open(os.path.join(out, "session.pcap"), "wb").write(cap.pcap())
    open(os.path.join(out, "session.pcapng"), "wb").write(cap.pcapng())
    data = cap.pcap()
    open(os.path.join(out, "cut.pcap"), "wb").write(data[:len(data) * 2 // 3])
    write_expected(os.path.join(out, "expected.tsv"), cap)
    raw = raw_capture(P)
    open(os.path.join(out, "raw.pcap"), "wb").write(raw.pcap(linktype=101))
    write_expected(os.path.join(out, "expected_raw.tsv"), raw)
    b = bad_capture(P, bad)
    open(os.path.join(out, "bad.pcap"), "wb").write(b.pcap())


if __name__ == "__main__":
    main()
