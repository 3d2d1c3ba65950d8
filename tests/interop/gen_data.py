"""FRAME_SUBMIT and RESULT_PUSH builder inputs (see gen.py)."""

from gen_base import *  # noqa: F401,F403  (the primitives)


# ---- data-plane packet builders ----------------------------------------------------------------------

def _tensor_args(g, modes=(0, 1, 2, 3)):
    """tile_ids, sections, tile_index_mode and tile_base_id of one tensor payload."""
    mode = g.pick(modes) if not g.chance(0.02) else g.pick((4, 7))
    n = g.tile_count()
    base = g.uint(U16, small=0.6) if mode == 0 else (g.uint(U16) if g.chance(0.2) else 0)
    if mode == 0 and g.chance(0.02):
        base = g.pick((U16, U16 - 1, U32))
    ids = g.tile_ids(mode if mode < 4 else 1, n, base)
    out = {"tile_ids": ids, "sections": g.sections(len(ids)), "tile_index_mode": enum("TileIndexMode", mode)}
    if base or g.chance(0.5):
        out["tile_base_id"] = base
    return out


def _submit_common(g, name):
    a = g.header_args(name)
    for key in ("session_id", "frame_id"):
        a.setdefault(key, g.uint(U32))
    if g.chance(0.7):
        a["frame_class"] = g.r.randint(0, 3) if not g.chance(0.03) else g.pick((4, 255))
    if g.chance(0.5):
        a["latency_budget_ms"] = g.uint(U16)
    if g.chance(0.5):
        a["target_fps_x100"] = g.uint(U16)
    if g.chance(0.4):
        a["retry_of_frame"] = g.uint(U32)
    if g.chance(0.5):
        a["budget_policy"] = g.flags("BudgetPolicy", 4 if not g.chance(0.03) else 8)
    if g.chance(0.4):
        a["dependency_frame_id"] = g.uint(U32)
    if g.chance(0.4):
        a["loss_tolerance_policy"] = g.pick((0, 1, 2, 3, 0xFF)) if not g.chance(0.05) else g.r.randint(4, 254)
    return a


def _geometry(g, a):
    for key in ("src_width", "src_height", "tile_width", "tile_height"):
        a[key] = g.pick((0, 1, 8, 16, 32, 64, 640, 360, 1920, U16)) if g.chance(0.8) else g.uint(U16)


def gen_frame_submit(g):
    name = "build_frame_submit_packet"
    a = _submit_common(g, name)
    _geometry(g, a)
    shape = g.pick(("inline", "inline", "inline", "reference", "mixed", "non_tensor"))
    if shape == "non_tensor":
        a["tile_ids"], a["sections"] = [], []
        a["payload_kind_bitmap"] = enum("PayloadKind", g.r.randint(0, 127) & ~1)
        if g.chance(0.05):
            a["payload_frame_count"] = 1
        return a
    a.update(_tensor_args(g))
    a["input_profile"] = g.member("InputProfile", bad=0.03)
    if g.chance(0.7):
        a["camera_block"] = hx(g.payload(200))
    if shape == "inline":
        if g.chance(0.05):
            a["payload_kind_bitmap"] = enum("PayloadKind", g.pick((3, 0x41, 0)))
        if g.chance(0.03):
            a["payload_frame_count"] = g.r.randint(1, 3)
        return a
    a["submit_mode"] = enum("SubmitMode", 1 if shape == "reference" else 2)
    mask = 0
    needed = {1: "camera_block" in a, 2: bool(a["tile_ids"]), 4: bool(a["sections"])}
    for bit, key, kind in ((1, "camera_reference", 1), (2, "tile_index_reference", 2),
                           (4, "tensor_section_table_reference", 3)):
        if (shape == "reference" and needed[bit] and not g.chance(0.05)) or g.chance(0.4):
            a[key] = g.object_ref(kind if not g.chance(0.03) else g.pick((5, 6)))
            mask |= bit
            if bit == 1:
                a.pop("camera_block", None)
    if g.chance(0.05):
        mask ^= g.pick((1, 2, 4, 8))
    a["object_ref_mask"] = mask
    return a


def gen_frame_submit_typed(g):
    a = _submit_common(g, "build_frame_submit_typed_payload_packet")
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 6)
    return a


def gen_frame_submit_mixed(g):
    a = _submit_common(g, "build_frame_submit_mixed_packet")
    _geometry(g, a)
    a.update(_tensor_args(g))
    a["input_profile"] = g.member("InputProfile", bad=0.02)
    if g.chance(0.6):
        a["camera_block"] = hx(g.payload(200))
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 5)
    return a


def _coverage(g, a, n, partial=False):
    """covered/dropped counts: None (every tile) or a split, now and then an impossible one."""
    if partial or g.chance(0.5):
        dropped = g.r.randint(1 if partial and n else 0, n) if n else 0
        a["covered_tile_count"] = n - dropped
        a["dropped_tile_count"] = dropped
        if g.chance(0.05):
            a["covered_tile_count"] += 1


def _result_common(g, name):
    a = g.header_args(name)
    for key in ("session_id", "frame_id"):
        a.setdefault(key, g.uint(U32))
    for key in ("active_profile_id", "inference_ms", "queue_ms", "server_total_ms", "status_code"):
        if g.chance(0.5):
            a[key] = g.uint(U16)
    return a


def _result_class_args(g, a):
    a["result_class"] = g.member("ResultClass", bad=0.03)
    partial = isinstance(a["result_class"], dict) and a["result_class"]["value"] == 1
    flags = g.r.randint(0, 3) | (4 if partial or g.chance(0.05) else 0)
    a["result_flags"] = enum("ResultFlags", flags if not g.chance(0.03) else g.r.randint(8, 31))
    if g.chance(0.5):
        a["applied_budget_policy"] = g.flags("BudgetPolicy", 4)
    if g.chance(0.4) or (isinstance(a["result_class"], dict) and a["result_class"]["value"] == 2):
        a["reused_frame_id"] = g.uint(U32)


def gen_result_push(g, name="build_result_push_packet", wrapper=None):
    a = _result_common(g, name)
    if wrapper is None and g.chance(0.1):
        a["tile_ids"], a["sections"] = [], []
        a["payload_kind_bitmap"] = enum("PayloadKind", g.r.randint(0, 127) & ~1)
        _result_class_args(g, a)
        return a
    a.update(_tensor_args(g, modes=(0, 1, 1) if not g.chance(0.02) else (2, 3)))
    if wrapper is None:
        _result_class_args(g, a)
        _coverage(g, a, len(a["tile_ids"]), partial=a["result_flags"]["value"] & 4
                  if isinstance(a["result_flags"], dict) else False)
        if g.chance(0.04):
            a["payload_kind_bitmap"] = enum("PayloadKind", g.pick((3, 0x21)))
        if g.chance(0.03):
            a["payload_frame_count"] = 1
    elif wrapper == "partial":
        _coverage(g, a, len(a["tile_ids"]), partial=True)
        a.setdefault("covered_tile_count", len(a["tile_ids"]))
        a.setdefault("dropped_tile_count", 0)
    elif wrapper == "stale":
        a["reused_frame_id"] = g.uint(U32) if not g.chance(0.05) else 0
        _coverage(g, a, len(a["tile_ids"]))
    else:
        _coverage(g, a, len(a["tile_ids"]))
    return a


def gen_result_partial(g):
    return gen_result_push(g, "build_partial_result_push_packet", "partial")


def gen_result_stale(g):
    return gen_result_push(g, "build_stale_reuse_result_push_packet", "stale")


def gen_result_degraded(g):
    return gen_result_push(g, "build_degraded_result_push_packet", "degraded")


def gen_result_typed(g):
    a = _result_common(g, "build_result_push_typed_payload_packet")
    _result_class_args(g, a)
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 6)
    return a


def gen_result_mixed(g):
    a = _result_common(g, "build_result_push_mixed_packet")
    a.update(_tensor_args(g, modes=(0, 1)))
    _result_class_args(g, a)
    _coverage(g, a, len(a["tile_ids"]), partial=a["result_flags"]["value"] & 4
              if isinstance(a["result_flags"], dict) else False)
    a["frames"] = g.typed_frames(0 if g.chance(0.05) else 1, 5)
    return a
