#!/usr/bin/env python3
"""Live sessions between libnnrp and nnrp-py 1.0.0rc2 over TCP and QUIC (README.md).

Direction 1: nnrp-py's client (connect_client_session, ResultRouter, migrate_session, probes)
against `live_peer server` (libnnrp).  Direction 2: `live_peer client` and `live_peer probe`
(libnnrp) against nnrp-py's server (accept_server_session over serve_tcp / serve_quic) and its
probe servers.  Then the two smoke commands against each other.  Loopback only, free ports
chosen at run time; every check has a timeout.  Prints one line per check and "N passed,
M failed"; checks the reference cannot take part in are listed as "unsupported" with the
reason and are not counted as passed.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time

from nnrp.adapters.quic import create_quic_server_configuration, serve_quic
from nnrp.adapters.tcp import create_tcp_server_configuration, serve_tcp
from nnrp.client import ResultRouter, SubmitRequest, TypedPayload, connect_client_session
from nnrp.core import (
    BudgetPolicy,
    CacheAckMetadata,
    CacheObjectKind,
    CachePutMetadata,
    FlowUpdateMetadata,
    MessageType,
    NnrpPacket,
    ObjectReferenceBlock,
    ResultClass,
    SubmitMode,
    TensorDType,
    TensorSectionData,
    TransportId,
    WireFormat,
    build_degraded_result_push_packet,
    build_result_drop_packet,
    build_partial_result_push_packet,
    build_stale_reuse_result_push_packet,
)
from nnrp.server import ServerProfile, accept_server_session
from nnrp.tools.smoke import (
    run_parallel_transport_probes,
    run_quic_probe_server_once,
    run_tcp_probe_server_once,
    run_tcp_smoke_client,
    run_tcp_smoke_server_once,
)

HOST = "127.0.0.1"
TILES = (b"\x01\x02\x03\x04", b"\x05\x06\x07\x08", b"\x09\x0a\x0b\x0c")
TOKENS = b"hello tokens"
EVENT = b'{"event":"scene","objects":3}'


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.unsupported: list[tuple[str, str]] = []
        self.known_issues: list[tuple[str, str]] = []

    def ok(self, name: str, detail: str = "") -> None:
        self.passed += 1
        print(f"PASS  {name}{'  ' + detail if detail else ''}", flush=True)

    def fail(self, name: str, detail: str) -> None:
        self.failed += 1
        print(f"FAIL  {name}  {detail}", flush=True)

    def known(self, name: str, detail: str) -> None:
        """An open libnnrp bug this run reproduces: listed at the end, neither passed nor failed."""
        self.known_issues.append((name, detail))
        print(f"KNOWN  {name}  {detail}", flush=True)

    def skip(self, name: str, reason: str) -> None:
        self.unsupported.append((name, reason))
        print(f"UNSUPPORTED  {name}  {reason}", flush=True)

    async def run(self, name: str, coro, timeout: float = 15.0) -> None:
        try:
            detail = await asyncio.wait_for(coro, timeout)
            self.ok(name, detail or "")
        except AssertionError as e:
            self.fail(name, f"assertion: {e}")
        except Exception as e:  # every failure of the peer or of the check is a FAIL
            self.fail(name, f"{type(e).__name__}: {e}")


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def section(tiles=TILES) -> TensorSectionData:
    return TensorSectionData(role_id=1, default_codec_id=0, dtype_id=TensorDType.UINT8, tile_payloads=tiles)


def tensor_request(frame_id: int, **kw) -> SubmitRequest:
    return SubmitRequest(frame_id=frame_id, src_width=48, src_height=16, tile_width=16, tile_height=16,
                         tile_ids=(0, 1, 2), sections=(section(),), **kw)


def split_tiles(view) -> tuple[bytes, ...]:
    out, off = [], 0
    for n in view.tile_lengths():
        out.append(bytes(view.payload[off:off + n]))
        off += n
    return tuple(out)


def tiles_of(result) -> tuple[bytes, ...]:
    assert result.tensor_body is not None, "no tensor body"
    return split_tiles(result.tensor_body.sections[0])


def reversed_tiles() -> tuple[bytes, ...]:
    return tuple(t[::-1] for t in TILES)


# ---- nnrp-py client -> libnnrp server ----------------------------------------------------------

def ports_for(transport: str, peer_ports: dict) -> dict:
    tid = TransportId.QUIC if transport == "quic" else TransportId.TCP
    return dict(quic_port=peer_ports["quic"], tcp_port=peer_ports["tcp"], forced_transport_id=tid, timeout=5.0)


async def py_client_checks(rep: Report, t: str, pp: dict) -> None:
    p = f"py-client->libnnrp/{t}"

    async def handshake():
        want = 41 if t == "tcp" else 42
        async with connect_client_session(HOST, requested_session_id=want, **ports_for(t, pp)) as s:
            assert s.session_id == want, f"session id {s.session_id}, requested {want} (free)"
            assert s.control.transport_id.name.lower() == t
            return f"session {s.session_id}"

    async def in_flight():
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            async with ResultRouter(session=s) as router:
                ids = list(range(101, 109))
                for f in ids:
                    await router.send_submit(tensor_request(f))
                for f in reversed(ids):  # out of order on purpose: the router keys by frame
                    r = await router.receive(f, timeout=5)
                    assert r.is_push and r.packet.header.frame_id == f
                    assert r.metadata.result_class == ResultClass.COMPLETE
                    assert tiles_of(r) == reversed_tiles(), "tile bytes"
                    assert r.tile_ids == (0, 1, 2), f"tile ids {r.tile_ids}"
            return f"{len(ids)} frames submitted before the first result"

    async def typed_refused():
        # nnrp-py's CLIENT_HELLO offers payload kinds 0x1 (tensor) whatever it sends later, and the
        # accepted set is the intersection (session §1): a typed frame is not admitted and gets a
        # frame-scope ERROR (§3.3); the session goes on.
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            await s.send_submit(SubmitRequest(frame_id=110, typed_payloads=(
                TypedPayload.token_chunk(TOKENS), TypedPayload.structured_event(EVENT))))
            err = await s.connection.receive_control_packet(timeout=5)
            assert err.header.msg_type is MessageType.ERROR and err.header.frame_id == 110, err.header
            await s.send_submit(tensor_request(111))
            r = await s.receive_result(timeout=5)
            assert r.is_push and tiles_of(r) == reversed_tiles()
            return f"ERROR for frame 110 ({bytes(err.body).decode(errors='replace')}), frame 111 served"

    async def classes():
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            want = {201: ResultClass.PARTIAL, 301: ResultClass.STALE_REUSE, 401: ResultClass.DEGRADED}
            seen = []
            for f, cls in want.items():
                await s.send_submit(tensor_request(f, budget_policy=BudgetPolicy(7)))
                r = await s.receive_result(timeout=5)
                assert r.is_push and r.packet.header.frame_id == f
                assert r.metadata.result_class == cls, f"frame {f}: {r.metadata.result_class!r}"
                if cls == ResultClass.PARTIAL:
                    assert (r.tensor_covered_tile_count, r.tensor_dropped_tile_count) == (1, 2)
                if cls == ResultClass.STALE_REUSE:
                    assert r.metadata.reused_frame_id == f - 1
                seen.append(cls.name.lower())
            await s.send_submit(tensor_request(501))
            r = await s.receive_result(timeout=5)
            assert r.is_drop and r.packet.header.frame_id == 501, r.packet.header
            return ", ".join(seen) + ", RESULT_DROP"

    async def flow():
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            await s.send_flow_update(FlowUpdateMetadata(session_credit=4, credit_epoch=3))
            await s.send_submit(tensor_request(601))
            _, fu = await s.receive_flow_update(timeout=5)
            assert fu.session_credit == 8 and fu.credit_epoch == 1, fu
            r = await s.receive_result(timeout=5)
            assert r.is_push and r.packet.header.frame_id == 601
            return "FLOW_UPDATE both ways, session still serving"

    async def cache():
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            obj = b"camera-intrinsics-0123456789abcdef"
            meta = CachePutMetadata(cache_namespace=1, cache_key_hi=0, cache_key_lo=77,
                                    object_kind=CacheObjectKind.CAMERA_BLOCK, ttl_ms=60000,
                                    object_bytes=len(obj), codec_bitmap=0)
            put = NnrpPacket.build(version_major=1, wire_format=WireFormat.CURRENT,
                                   msg_type=MessageType.CACHE_PUT, session_id=s.session_id,
                                   metadata=meta.pack(), body=obj)
            await s.connection.send_control_packet(put)
            ack = await s.connection.receive_control_packet(timeout=5)
            assert ack.header.msg_type is MessageType.CACHE_ACK, ack.header.msg_type
            am = CacheAckMetadata.unpack(ack.metadata)
            assert int(am.status) == 0 and am.cache_key_lo == 77, am
            ref = ObjectReferenceBlock(object_kind=CacheObjectKind.CAMERA_BLOCK, ref_flags=0,
                                       cache_namespace=1, cache_key_hi=0, cache_key_lo=77)
            await s.send_submit(tensor_request(130, submit_mode=SubmitMode.MIXED,
                                                object_ref_mask=0x1, camera_reference=ref))
            r = await s.receive_result(timeout=5)
            assert r.is_push, "reference not served"
            assert r.opaque_bytes_payloads == (obj,), r.typed_payloads
            return "CACHE_PUT acked, MIXED frame's camera reference resolved"

    async def close():
        async with connect_client_session(HOST, **ports_for(t, pp)) as s:
            await s.send_submit(tensor_request(140))
            r = await s.receive_result(timeout=5)
            assert r.is_push
            await s.connection.send_control_packet(NnrpPacket.build(
                version_major=1, wire_format=WireFormat.CURRENT, msg_type=MessageType.CLOSE,
                session_id=s.session_id, body=b"bye"))
            pkt = await s.connection.receive_control_packet(timeout=5)
            assert pkt.header.msg_type is MessageType.CLOSE, pkt.header.msg_type
            return "CLOSE answered with CLOSE"

    for name, fn in [("handshake", handshake), ("frames-in-flight", in_flight), ("typed-payloads-refused", typed_refused),
                     ("result-classes+drop", classes), ("flow-update", flow), ("cache-put+reference", cache),
                     ("close", close)]:
        await rep.run(f"{p}/{name}", fn())


async def py_probe_and_migration(rep: Report, pp: dict) -> None:
    async def probe():
        sel = await run_parallel_transport_probes(HOST, quic_port=pp["quic"], tcp_port=pp["tcp"],
                                                  sample_count=3, timeout=5)
        assert sel.quic_summary.success_count == 3, sel.quic_summary
        assert sel.tcp_summary.success_count == 3, sel.tcp_summary
        return f"3+3 probes acked, selected {sel.selected_transport_id.name}"

    await rep.run("py-client->libnnrp/transport-probe", probe())

    async def migrate(src: str, dst: str):
        async with connect_client_session(HOST, **ports_for(src, pp)) as s:
            await s.send_submit(tensor_request(150))
            r = await s.receive_result(timeout=5)
            assert r.is_push
            dst_id = TransportId.QUIC if dst == "quic" else TransportId.TCP
            async with s.migrate_session(HOST, quic_port=pp["quic"], tcp_port=pp["tcp"],
                                         forced_transport_id=dst_id, last_result_frame_id=150,
                                         timeout=5) as out:
                assert out.accepted, out.ack_metadata
                assert out.session.session_id == s.session_id
                f = max(151, out.resume_from_frame_id)
                await out.session.send_submit(tensor_request(f))
                r = await out.session.receive_result(timeout=5)
                assert r.is_push and r.packet.header.frame_id == f
                assert tiles_of(r) == reversed_tiles()
                return f"resume_from {out.resume_from_frame_id}, frame {f} served on {dst}"

    await rep.run("py-client->libnnrp/migrate tcp->quic", migrate("tcp", "quic"))
    await rep.run("py-client->libnnrp/migrate quic->tcp", migrate("quic", "tcp"))


# ---- libnnrp client -> nnrp-py server ----------------------------------------------------------

async def py_server_session(rep: Report, t: str, peer: str, cert: str, key: str) -> None:
    p = f"libnnrp-client->py-server/{t}"
    port = free_port(socket.SOCK_DGRAM if t == "quic" else socket.SOCK_STREAM)
    if t == "quic":
        listen = serve_quic(HOST, port, configuration=create_quic_server_configuration(cert, key))
    else:
        listen = serve_tcp(HOST, port, configuration=create_tcp_server_configuration(idle_timeout=10))
    observed: dict = {}

    async def serve():
        async with listen as listener:
            proc = await asyncio.create_subprocess_exec(peer, "client", t, str(port),
                                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            try:
                # max_concurrent_frames 1 by default: grant 8 so that all six frames are in flight
                ss = await accept_server_session(listener, session_id=23, timeout=5,
                                                 server_profile=ServerProfile(max_concurrent_frames=8))
                observed["handshake"] = ss.hello.metadata.requested_session_id
                sid = ss.session_id
                subs = {}
                for _ in range(6):
                    sub = await ss.receive_submit(timeout=5)
                    subs[sub.packet.header.frame_id] = sub
                observed["submits"] = subs
                sec = (section(reversed_tiles()),)
                await ss.send_result(frame_id=1, tile_ids=(0, 1, 2), sections=sec)
                await ss.send_result(frame_id=2, typed_payloads=subs[2].request.typed_payloads)
                conn = ss.connection
                await conn.send_result_packet(build_partial_result_push_packet(
                    session_id=sid, frame_id=3, tile_ids=(0, 1, 2), sections=sec,
                    covered_tile_count=1, dropped_tile_count=2))
                await conn.send_result_packet(build_stale_reuse_result_push_packet(
                    session_id=sid, frame_id=4, tile_ids=(0, 1, 2), sections=sec, reused_frame_id=3))
                await conn.send_result_packet(build_degraded_result_push_packet(
                    session_id=sid, frame_id=5, tile_ids=(0, 1, 2), sections=sec))
                # ServerSession.send_result_drop passes wire_format= to build_result_drop_packet,
                # which does not take it (TypeError in 1.0.0rc2): build the packet directly.
                await conn.send_result_packet(build_result_drop_packet(session_id=sid, frame_id=6))
                await ss.send_flow_update(FlowUpdateMetadata(session_credit=12, credit_epoch=5))
                pkt = await conn.receive_control_packet(timeout=5)
                observed["flow_in"] = (pkt.header.msg_type, pkt.metadata)
                pkt = await conn.receive_control_packet(timeout=5)
                observed["close_in"] = pkt.header.msg_type
                out, err = await asyncio.wait_for(proc.communicate(), 10)
                observed["out"] = out.decode()
                observed["err"] = err.decode()
                observed["rc"] = proc.returncode
            finally:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()

    try:
        await asyncio.wait_for(serve(), 25)
    except Exception as e:
        observed.setdefault("error", f"{type(e).__name__}: {e}")
    lines = observed.get("out", "").splitlines()
    print(f"      {p}: client said: {' | '.join(lines)}", flush=True)
    if "error" in observed:
        print(f"      {p}: {observed['error']}; client stderr: {observed.get('err', '')!r}", flush=True)

    def check(name: str, cond: bool, detail: str) -> None:
        (rep.ok if cond else rep.fail)(f"{p}/{name}", detail)

    subs = observed.get("submits", {})
    check("handshake", "session id=23" in lines and "handshake" in observed,
          f"CLIENT_HELLO (requested session {observed.get('handshake')}) decoded by nnrp-py; "
          "libnnrp took the session 23 nnrp-py granted")
    check("frames-in-flight", sorted(subs) == [1, 2, 3, 4, 5, 6],
          f"6 FRAME_SUBMITs decoded by nnrp-py: {sorted(subs)}")
    s1 = subs.get(1)
    check("tensor-submit", s1 is not None and s1.tensor_body is not None
          and split_tiles(s1.tensor_body.sections[0]) == TILES,
          "tile bytes of frame 1 as sent")
    s2 = subs.get(2)
    got2 = next((line for line in lines if line.startswith("result frame=2 ")), "")
    check("typed-payloads", s2 is not None and [tp.payload for tp in s2.request.typed_payloads]
          == [b"hello", b'{"event":"x"}'] and got2.endswith(' typed=2 kind2=hello kind16={"event":"x"}'),
          f"nnrp-py decoded tokens + structured event; echo back: {got2}")
    expect = {1: "outcome=delivered class=0 tiles=3", 3: "outcome=delivered class=1 tiles=3",
              4: "outcome=delivered class=2 tiles=3", 5: "outcome=delivered class=3 tiles=3",
              6: "outcome=dropped"}
    bad = [f for f, w in expect.items()
           if not any(line.startswith(f"result frame={f} {w}") for line in lines)]
    check("result-classes+drop", not bad, f"complete, partial, stale_reuse, degraded, drop; wrong: {bad}")
    fi = observed.get("flow_in")
    check("flow-update", "flow_in session_credit=12 epoch=5" in lines and fi is not None
          and fi[0] is MessageType.FLOW_UPDATE and FlowUpdateMetadata.unpack(fi[1]).credit_epoch == 9,
          "nnrp-py -> libnnrp and libnnrp -> nnrp-py")
    check("close", observed.get("close_in") is MessageType.CLOSE and observed.get("rc") == 0,
          f"CLOSE reached nnrp-py; client exit {observed.get('rc')}; "
          f"{next((x for x in lines if x.startswith('close')), '')} (nnrp-py's server never answers CLOSE)")


async def our_probe(rep: Report, peer: str, cert: str, key: str) -> None:
    qp, tp = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    qconf = create_quic_server_configuration(cert, key)

    async def run():
        ready_q, ready_t = asyncio.Event(), asyncio.Event()
        servers = asyncio.gather(
            run_quic_probe_server_once(HOST, qp, configuration=qconf, ready_event=ready_q,
                                       timeout=10, connection_count=3),
            run_tcp_probe_server_once(HOST, tp, ready_event=ready_t, timeout=10, connection_count=3))
        task = asyncio.ensure_future(servers)
        await ready_q.wait()
        await ready_t.wait()
        proc = await asyncio.create_subprocess_exec(peer, "probe", str(qp), str(tp), stdout=subprocess.PIPE,
                                                    stderr=subprocess.PIPE)
        out, err = await proc.communicate()
        await asyncio.wait_for(task, 10)
        line = out.decode().strip()
        assert proc.returncode == 0 and "rc=ok" in line and "error=0" in line, (line, err.decode())
        # nnrp-py's probe server closes right after its last ACK: the ACK and the CONNECTION_CLOSE
        # can reach libnnrp in one read round, and the ACK must still count.
        assert "tcp 3/3 ok" in line and "quic 3/3 ok" in line, line
        return line

    await rep.run("libnnrp-probe->py-probe-servers", run(), 25)


# ---- the smoke commands ------------------------------------------------------------------------

def smoke_checks(rep: Report, nnrp: str, smoke: str, cert: str, key: str) -> None:
    def pair(name: str, server: list, client: list) -> None:
        srv = subprocess.Popen(server, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.8)  # the servers print nothing before their session, so give them time to bind
            cl = subprocess.run(client, capture_output=True, text=True, timeout=20)
            so, se = srv.communicate(timeout=20)
            ok = cl.returncode == 0 and srv.returncode == 0 and "result_tile_count=3" in cl.stdout \
                and "result_tile_count=3" in so
            (rep.ok if ok else rep.fail)(name, " ".join(cl.stdout.split()) if ok else
                                         f"client rc {cl.returncode} {cl.stdout!r} {cl.stderr[-300:]!r}; "
                                         f"server rc {srv.returncode} {so!r} {se[-300:]!r}")
        except Exception as e:
            rep.fail(name, f"{type(e).__name__}: {e}")
        finally:
            if srv.poll() is None:
                srv.kill()
                srv.wait()

    qp = free_port(socket.SOCK_DGRAM)
    pair("smoke/quic reference client -> nnrp smoke server-once",
         [nnrp, "smoke", "server-once", "--port", str(qp), "--certificate", cert, "--private-key", key],
         [smoke, "client", "--port", str(qp), "--timeout", "10"])
    qp = free_port(socket.SOCK_DGRAM)
    pair("smoke/quic nnrp smoke client -> reference server-once",
         [smoke, "server-once", "--port", str(qp), "--certificate", cert, "--private-key", key, "--timeout", "15"],
         [nnrp, "smoke", "client", "--port", str(qp), "--timeout", "10"])
    py = sys.executable
    tp = free_port(socket.SOCK_STREAM)
    pair("smoke/tcp reference client (run_tcp_smoke_client) -> nnrp smoke server-once",
         [nnrp, "smoke", "server-once", "--transport", "tcp", "--port", str(tp)],
         [py, "-c", "import asyncio,sys; from nnrp.tools.smoke import run_tcp_smoke_client as c, "
          "render_smoke_transcript as r; print(r(asyncio.run(c('127.0.0.1', int(sys.argv[1]), timeout=10))))",
          str(tp)])
    tp = free_port(socket.SOCK_STREAM)
    pair("smoke/tcp nnrp smoke client -> reference run_tcp_smoke_server_once",
         [py, "-c", "import asyncio,sys; from nnrp.tools.smoke import run_tcp_smoke_server_once as s, "
          "render_smoke_transcript as r; print(r(asyncio.run(s('127.0.0.1', int(sys.argv[1]), timeout=15))))",
          str(tp)],
         [nnrp, "smoke", "client", "--transport", "tcp", "--port", str(tp), "--timeout", "10"])


# ---- main --------------------------------------------------------------------------------------

def dev_cert_check(rep: Report, peer: str, tmp: str) -> tuple[str, str]:
    """nnrp_tls_make_dev_cert's key must load in nnrp-py's TLS stack (aioquic -> cryptography).

    Returns a certificate and key the Python servers can load.  Every key must load: GnuTLS writes
    a P-256 scalar with its top bit set as 33 bytes (RFC 5915 wants 32), which cryptography refuses,
    so nnrp_tls_make_dev_cert only keeps scalars that encode in 32."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    good, bad = None, 0
    for i in range(16):
        cert, key = os.path.join(tmp, f"dev{i}.pem"), os.path.join(tmp, f"dev{i}.key")
        subprocess.run([peer, "cert", cert, key], check=True, timeout=10)
        try:
            load_pem_private_key(open(key, "rb").read(), None)
            good = good or (cert, key)
        except ValueError:
            bad += 1
    name = "dev-cert/key loads in nnrp-py (cryptography)"
    if bad:
        rep.fail(name, f"{bad} of 16 keys of nnrp_tls_make_dev_cert refused by cryptography")
    else:
        rep.ok(name, "16 of 16 keys load")
    if good is None:
        raise RuntimeError("no loadable development key in 16 tries")
    return good


async def main_async(args, rep: Report, tmp: str, py_cert: tuple[str, str]) -> None:
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    server = await asyncio.create_subprocess_exec(args.peer, "server", cert, key, stdout=subprocess.PIPE,
                                                  stderr=open(os.path.join(tmp, "server.log"), "wb"))
    try:
        line = (await asyncio.wait_for(server.stdout.readline(), 10)).decode()
        pp = dict(kv.split("=") for kv in line.split())
        pp = {k: int(v) for k, v in pp.items()}
        print(f"libnnrp server: tcp {pp['tcp']}, quic {pp['quic']}", flush=True)
        for t in ("tcp", "quic"):
            await py_client_checks(rep, t, pp)
        await py_probe_and_migration(rep, pp)
    finally:
        server.terminate()
        await server.wait()
    cert, key = py_cert  # the Python servers need a key cryptography loads (dev_cert_check)
    for t in ("tcp", "quic"):
        await py_server_session(rep, t, args.peer, cert, key)
    rep.skip("py-client->libnnrp/typed-payloads",
             "nnrp-py's client always offers payload kinds 0x1 (tensor only) in CLIENT_HELLO and has no "
             "way to offer more, so its typed and mixed frames are outside the negotiated set of any "
             "server that intersects (libnnrp refuses them with ERROR, checked above); typed payloads "
             "are checked in the other direction")
    rep.skip("libnnrp-client->py-server/cache-put+reference",
             "nnrp-py's server has no cache: accept_server_session hands CACHE_PUT to nobody and never "
             "sends CACHE_ACK (cache is tested against libnnrp's server only)")
    rep.skip("libnnrp-client->py-server/migration",
             "nnrp-py's server has no SESSION_MIGRATE handling (a ServerSession is one connection)")
    rep.skip("libnnrp-client->py-server/negotiation",
             "nnrp-py's accept_server_session does no negotiation: it grants the requested (or given) "
             "session id and a fixed ServerProfile")
    await our_probe(rep, args.peer, cert, key)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnrp", required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--smoke", required=True)
    args = ap.parse_args()
    rep = Report()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nnrp-live-") as tmp:
        try:
            py_cert = dev_cert_check(rep, args.peer, tmp)
            asyncio.run(main_async(args, rep, tmp, py_cert))
            smoke_checks(rep, args.nnrp, args.smoke, *py_cert)
        except Exception as e:
            rep.fail("harness", f"{type(e).__name__}: {e}")
        log = os.path.join(tmp, "server.log")
        if rep.failed and os.path.exists(log):
            print("---- live_peer server log ----\n" + open(log).read()[-3000:])
    print(f"unsupported by the reference ({len(rep.unsupported)}, not counted):")
    for name, why in rep.unsupported:
        print(f"  {name}: {why}")
    if rep.known_issues:
        print(f"known libnnrp issues ({len(rep.known_issues)}, not counted, see README.md):")
        for name, why in rep.known_issues:
            print(f"  {name}: {why}")
    print(f"{rep.passed} passed, {rep.failed} failed ({time.monotonic() - start:.1f} s)")
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
