"""npz interoperability with numpy (run by CTest as npz_numpy).

1. libbimt writes an archive (npz_tool write); numpy.load opens it without pickle and every
   member has the dtype, shape and values of the formulas below.
2. numpy writes an archive with np.savez (uncompressed); libbimt reads it (npz_tool read).
3. A libbimt checkpoint (npz_tool checkpoint) opens in numpy with exactly the members, dtypes
   and shapes that docs/checkpoint-format.md lists, and consistent values.
Exits 0 when all hold; prints a skip message and exits 0 if numpy is missing."""
import json
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("numpy not available: npz_numpy check skipped")
    sys.exit(0)

tool = sys.argv[1]


def expected():
    return {
        "a_f4": (np.arange(12, dtype=np.float32) * np.float32(0.5) - np.float32(1)).reshape(3, 4),
        "a_f8": 1.0 / np.arange(1, 6, dtype=np.float64),
        "a_u4": np.array([0xFFFFFFF0 + i for i in range(4)], dtype="<u4"),
        "a_u8": np.array([(1 << 63) + i for i in range(3)], dtype="<u8"),
        "a_i4": np.array([[-(2**31), -1], [0, 2**31 - 1]], dtype="<i4"),
        "a_i8": np.array([-(2**63), -5, 2**63 - 1], dtype="<i8"),
        "scalar": np.float64(-2.5),
    }


# docs/checkpoint-format.md: name -> (dtype, shape); shapes use H = hidden neurons,
# P = parameters; () is a scalar.
def checkpoint_members(H, P):
    u4, u8, i4, f4, f8 = "<u4", "<u8", "<i4", "<f4", "<f8"
    m = {
        "format_version": (u4, ()), "library_version": (u4, ()), "metadata": ("|u1", None),
        "model.grid_side": (u4, ()), "model.n_in": (u4, ()), "model.n_out": (u4, ()),
        "model.activation": (i4, ()), "model.alpha": (f8, ()), "model.sigma_rec": (f8, ()),
        "model.init": (i4, ()), "model.init_scale": (f8, ()), "model.loss": (i4, ()),
        "model.seed": (u8, ()), "model.io_layout": (u4, ()), "model.params": (f4, (P,)), "model.slots": (u4, (H,)),
        "model.noise_rng": (u8, (6,)),
        "task.n_eachring": (u4, ()), "task.dt_ms": (f8, ()), "task.tau_ms": (f8, ()),
        "task.sigma_x": (f8, ()), "task.rule_mask": (u4, ()), "task.loss": (i4, ()),
        "task.input_noise": (u4, ()), "task.easy_task": (u4, ()), "task.seed": (u8, ()),
        "task.rng": (u8, (6,)),
        "trainer.arm": (i4, ()), "trainer.batch_size": (u4, ()),
        "trainer.learning_rate": (f8, ()), "trainer.beta1": (f8, ()), "trainer.beta2": (f8, ()),
        "trainer.eps": (f8, ()), "trainer.grad_clip": (f8, ()), "trainer.lambda": (f8, ()),
        "trainer.A": (f8, ()), "trainer.n_schedule": (u4, ()),
        "trainer.schedule_step": (u8, (8,)), "trainer.schedule_lambda": (f8, (8,)),
        "trainer.swap_interval": (u4, ()), "trainer.swap_top_k": (u4, ()),
        "trainer.eval_interval": (u4, ()), "trainer.eval_batch": (u4, ()),
        "trainer.rule_weight": (f8, (20,)), "trainer.recurrent_noise": (u4, ()),
        "trainer.seed": (u8, ()), "trainer.step": (u8, ()), "trainer.trials": (u8, ()),
        "trainer.easy_train": (u4, ()), "trainer.l1_proximal": (u4, ()),
        "trainer.l1_h": (f8, ()), "trainer.l2_h": (f8, ()),
        "trainer.hidden_bias_nonpositive": (u4, ()),
        "trainer.rule_rng": (u8, (6,)), "trainer.eval_task_rng": (u8, (6,)),
        "trainer.eval_noise_rng": (u8, (6,)), "trainer.eval_step": (u8, ()),
        "trainer.last_eval": (f8, (20,)), "trainer.last_eval_trials": (u4, ()),
        "adam.m": (f4, (P,)), "adam.v": (f4, (P,)), "adam.step": (u8, ()),
        # format 2: the geometry (0, 0 for the grid; model.positions only with positions)
        "model.n_slots": (u4, ()), "model.dim": (u4, ()), "model.distance": (u4, ()),
        "model.neighbours": (u4, ()),
        "model.w_in_cost": (f8, ()), "model.w_out_cost": (f8, ()),
    }
    return m


def check_checkpoint(path):
    side, ring, steps = 3, 4, 4
    subprocess.run([tool, "checkpoint", path, str(side), str(ring), str(steps)], check=True)
    with np.load(path, allow_pickle=False) as z:
        H = side * side
        n_in, n_out = 1 + 2 * ring + 20, 1 + ring
        P = H * H + H * n_in + n_out * H + H + n_out
        want = checkpoint_members(H, P)
        assert sorted(z.files) == sorted(want), sorted(set(z.files) ^ set(want))
        for k, (dt, shape) in want.items():
            a = z[k]
            assert a.dtype == np.dtype(dt), (k, a.dtype)
            if shape is not None:
                assert a.shape == shape, (k, a.shape, shape)
        assert int(z["format_version"]) == 2
        assert int(z["model.n_slots"]) == 0 and int(z["model.dim"]) == 0
        assert int(z["model.grid_side"]) == side and int(z["task.n_eachring"]) == ring
        assert int(z["model.n_in"]) == n_in and int(z["model.n_out"]) == n_out
        assert int(z["trainer.step"]) == steps
        assert int(z["trainer.trials"]) == steps * int(z["trainer.batch_size"])
        assert int(z["adam.step"]) == steps
        assert sorted(z["model.slots"].tolist()) == list(range(H))
        assert np.all(np.isfinite(z["model.params"])) and np.all(z["adam.v"] >= 0)
        # The flat buffer splits as the format page says; W_rec in grid order via the slots.
        p = z["model.params"]
        W = p[: H * H].reshape(H, H)
        W_in = p[H * H: H * H + H * n_in].reshape(H, n_in)
        assert W.shape == (H, H) and W_in.shape == (H, n_in)
        meta = json.loads(bytes(z["metadata"]).decode("utf-8"))
        assert meta["format"] == "libbimt-checkpoint" and meta["step"] == steps, meta
        assert meta["n_params"] == P and meta["rules"] == ["fdgo", "dm1"], meta
        le = z["trainer.last_eval"]
        assert int(z["trainer.eval_step"]) == 4 - 2 and 0 <= le[0] <= 1 and le[6] >= 0, le
        assert all(le[r] == -1 for r in range(20) if r not in (0, 6))
        members = {k: z[k] for k in z.files}

    # A checkpoint edited with numpy (pruned W_rec) and saved with np.savez loads in libbimt.
    W = members["model.params"][: H * H].reshape(H, H)
    W[np.abs(W) < np.median(np.abs(W))] = 0
    zeros = int(np.sum(members["model.params"] == 0))
    edited = path.replace(".npz", "-edited.npz")
    np.savez(edited, **members)
    out = subprocess.run([tool, "loadck", edited], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["step", str(steps), "zeros", str(zeros)], out.stdout


def main():
    with tempfile.TemporaryDirectory() as d:
        ours = os.path.join(d, "ours.npz")
        subprocess.run([tool, "write", ours], check=True)
        with np.load(ours, allow_pickle=False) as z:
            exp = expected()
            assert sorted(z.files) == sorted(list(exp) + ["meta"]), z.files
            for k, v in exp.items():
                got = z[k]
                assert got.dtype == np.asarray(v).dtype, (k, got.dtype)
                assert got.shape == np.shape(v), (k, got.shape)
                assert np.array_equal(got, v), (k, got, v)
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            assert meta == {"library": "libbimt", "value": 1.5}, meta

        theirs = os.path.join(d, "numpy.npz")
        exp = expected()
        exp["meta"] = np.frombuffer(b'{"library": "libbimt", "value": 1.5}', dtype=np.uint8)
        np.savez(theirs, **exp)
        subprocess.run([tool, "read", theirs], check=True)
        check_checkpoint(os.path.join(d, "ck.npz"))
    print("npz_numpy: numpy reads libbimt archives and libbimt reads np.savez archives")


main()
