"""Loopback sessions side by side: nnrp-py 1.0.0rc2 client and server, then libnnrp's, in one run.

usage: python interop_session_bench.py --bench PATH/nnrp_bench_io [--seconds S] [--tcp-only] [--markdown]

Runs in the virtual environment of tests/interop (tests/interop/run.sh creates it).  Both sides
do the work of one session case of bench/bench_io.c over TCP, then QUIC, on 127.0.0.1: one session per case,
frames of one uint8 tensor tile (1 KiB or 32 KiB), 1 or 16 frames kept in flight, the server
answers each frame with a RESULT_PUSH without tensor sections, latency is submit -> result as the
client sees it.  nnrp-py's server (accept_server_session over serve_tcp and serve_quic, with a
self-signed P-256 certificate made here; clients do not verify it) runs in a second process
so that client and server each have an interpreter, as libnnrp's have a thread each.  libnnrp's
figures come from `nnrp_bench_io --only tcp|quic --json`, run in the same invocation.  Prints frames/s
and the median latency of both, and the ratios (libnnrp frames/s / nnrp-py frames/s, nnrp-py
median / libnnrp median).  Bounded: about 8 x (S + 0.5) s per side.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from nnrp.adapters.quic import create_quic_server_configuration, serve_quic
from nnrp.adapters.tcp import create_tcp_server_configuration, serve_tcp
from nnrp.client import SubmitRequest, connect_client_session
from nnrp.core import InputProfile, TensorDType, TensorSectionData, TransportId
from nnrp.server import ServerProfile, accept_server_session

HOST = "127.0.0.1"
CASES = [(1024, 1), (1024, 16), (32768, 1), (32768, 16)]  # (tile bytes, frames in flight)


# ---- nnrp-py server (its own process) ------------------------------------------------------------

async def serve_on(listen) -> None:
    async with listen as lis:
        while True:  # one session per case, until the bench kills this process
            ss = await accept_server_session(lis, session_id=7, timeout=60,
                                             server_profile=ServerProfile(max_concurrent_frames=16))
            try:
                while True:
                    sub = await ss.receive_submit()
                    await ss.send_result(frame_id=sub.packet.header.frame_id)
            except Exception:  # the client went away: next case
                ss.connection.close()


async def serve(tcp_port: int, quic_port: int, cert: str, key: str) -> None:
    tasks = [asyncio.create_task(serve_on(serve_tcp(HOST, tcp_port,
                                                    configuration=create_tcp_server_configuration(idle_timeout=30))))]
    if quic_port:
        tasks.append(asyncio.create_task(serve_on(serve_quic(
            HOST, quic_port, configuration=create_quic_server_configuration(cert, key)))))
    await asyncio.sleep(0.2)  # both listeners bound
    print("ready", flush=True)
    await asyncio.gather(*tasks)


def make_cert(cert: str, key: str) -> None:
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
         .not_valid_after(now + datetime.timedelta(days=1)).sign(k, hashes.SHA256()))
    with open(cert, "wb") as f:
        f.write(c.public_bytes(serialization.Encoding.PEM))
    with open(key, "wb") as f:
        f.write(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))


# ---- nnrp-py client ------------------------------------------------------------------------------

def request(frame_id: int, payload: bytes) -> SubmitRequest:
    sec = TensorSectionData(role_id=1, default_codec_id=0, dtype_id=TensorDType.UINT8, tile_payloads=(payload,))
    return SubmitRequest(frame_id=frame_id, src_width=32, src_height=len(payload) // 32, tile_width=32,
                         tile_height=len(payload) // 32, tile_ids=(0,), sections=(sec,),
                         input_profile=InputProfile.DENSE_LUMA_FRAME, latency_budget_ms=10000)


async def py_case(transport: str, port: int, size: int, conc: int, seconds: float) -> dict:
    """Like run_session of bench_io.c: a tenth of the run as warm-up, then `seconds` measured;
    only frames submitted during the measurement count."""
    payload = bytes(range(256)) * (size // 256)
    where = dict(quic_port=port, forced_transport_id=TransportId.QUIC) if transport == "quic" else \
        dict(tcp_port=port, forced_transport_id=TransportId.TCP)
    async with connect_client_session(HOST, timeout=5.0, **where) as s:
        sent: dict[int, tuple[int, bool]] = {}
        lat: list[int] = []
        next_id, inflight = 1, 0
        start = time.perf_counter_ns()
        t0 = start + int(seconds * 0.1e9)
        t_stop, t_end = t0 + int(seconds * 1e9), t0
        while True:
            now = time.perf_counter_ns()
            stopping = now >= t_stop
            if stopping and inflight == 0:
                break
            while not stopping and inflight < conc:
                sent[next_id] = (time.perf_counter_ns(), now >= t0)
                await s.send_submit(request(next_id, payload))
                next_id, inflight = (next_id % 0xFFFFFFF) + 1, inflight + 1
            r = await s.receive_result(timeout=5)
            t = time.perf_counter_ns()
            inflight -= 1
            at, counted = sent.pop(r.packet.header.frame_id)
            if counted and r.is_push:
                lat.append(t - at)
                t_end = t
    n = len(lat)
    return {"fps": n * 1e9 / (t_end - t0) if t_end > t0 else 0.0,
            "p50_us": statistics.median(lat) / 1e3 if lat else 0.0, "frames": n}


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run_python(transports: list[str], seconds: float) -> dict:
    ports = {"tcp": free_port(), "quic": free_port(socket.SOCK_DGRAM) if "quic" in transports else 0}
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        make_cert(cert, key)
        srv = subprocess.Popen([sys.executable, __file__, "--serve", str(ports["tcp"]), str(ports["quic"]), cert, key],
                               stdout=subprocess.PIPE, text=True)
        try:
            if srv.stdout.readline().strip() != "ready":
                raise SystemExit("interop_session_bench: nnrp-py server did not start")
            return {(t, size, conc): asyncio.run(asyncio.wait_for(py_case(t, ports[t], size, conc, seconds),
                                                                  seconds + 20))
                    for t in transports for size, conc in CASES}
        finally:
            srv.kill()
            srv.wait()


def run_libnnrp(bench: str, transports: list[str], seconds: float) -> dict:
    rows = {}
    for t in transports:
        out = subprocess.run([bench, "--only", t, "--json", "--seconds", str(seconds)], check=True,
                             capture_output=True, text=True, timeout=8 * seconds + 30).stdout
        for r in (json.loads(line) for line in out.splitlines() if line.startswith("{")):
            if r["error"] or r["failed"]:
                raise SystemExit(f"interop_session_bench: libnnrp case failed: {r}")
            rows[(t, r["bytes"], r["conc"])] = r
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", help="build/bench/nnrp_bench_io")
    ap.add_argument("--seconds", type=float, default=2.0, help="measured time per case and side")
    ap.add_argument("--tcp-only", action="store_true", help="leave QUIC out")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)  # TCP_PORT QUIC_PORT CERT KEY
    args = ap.parse_args()
    if args.serve:
        asyncio.run(serve(int(args.serve[0]), int(args.serve[1]), args.serve[2], args.serve[3]))
        return 0
    if not args.bench:
        ap.error("--bench is required")

    transports = ["tcp"] if args.tcp_only else ["tcp", "quic"]
    py = run_python(transports, args.seconds)
    lib = run_libnnrp(args.bench, transports, args.seconds)
    version = sys.version.split()[0]
    if args.markdown:
        print(f"| session | nnrp-py 1.0.0rc2 (CPython {version}) frames/s | p50 | libnnrp frames/s | p50 "
              "| throughput ratio | latency ratio |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    else:
        print(f"{'session':27} {'py frames/s':>12} {'py p50 µs':>10} {'lib frames/s':>13} "
              f"{'lib p50 µs':>11} {'fps ratio':>10} {'p50 ratio':>10}")
    for key in py:
        p, c = py[key], lib[key]
        name = f"{key[0].upper()}, {key[1] // 1024} KiB, {key[2]} in flight"
        fr = c["fps"] / p["fps"] if p["fps"] else 0.0
        lr = p["p50_us"] / c["p50_us"] if c["p50_us"] else 0.0
        if args.markdown:
            print(f"| {name} | {p['fps']:,.0f} | {p['p50_us']:,.0f} µs | {c['fps']:,.0f} | {c['p50_us']:.0f} µs "
                  f"| {fr:.0f}x | {lr:.0f}x |")
        else:
            print(f"{name:27} {p['fps']:12.0f} {p['p50_us']:10.0f} {c['fps']:13.0f} {c['p50_us']:11.1f} "
                  f"{fr:9.0f}x {lr:9.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
