"""npz interoperability with numpy (run by CTest as npz_numpy).

1. libbimt writes an archive (npz_tool write); numpy.load opens it without pickle and every
   member has the dtype, shape and values of the formulas below.
2. numpy writes an archive with np.savez (uncompressed); libbimt reads it (npz_tool read).
Exits 0 when both hold; prints a skip message and exits 0 if numpy is missing."""
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
    print("npz_numpy: numpy reads libbimt archives and libbimt reads np.savez archives")


main()
