"""The ABI rules as the Python layer meets them (docs/design.md, "ABI rules"): counts are
uint32_t, so a value past 2**32 - 1 is refused before ctypes could wrap it; output structs
carry the struct_size the bindings set, and the library reports what it filled."""

import ctypes

import numpy as np
import pytest

import bimt
from bimt import _ffi as F
from bimt._lib import lib
from bimt._util import out_struct


def last_error():
    return (lib.bimt_last_error() or b"").decode()


def test_counts_past_32_bits_are_refused(task, task_model):
    tr = bimt.Trainer(task_model, task, batch_size=4, eval_interval=0)
    with pytest.raises(bimt.InvalidArgumentError, match="n_steps"):
        tr.run(2**32)          # would wrap to 0 steps through a c_uint32
    with pytest.raises(bimt.InvalidArgumentError, match="batch_size"):
        task.sample(0, 2**32 + 4)
    with pytest.raises(bimt.InvalidArgumentError, match="batch_size"):
        task.sample(0, -1)
    assert tr.steps == 0
    tr.run(2)
    assert tr.steps == 2
    tr.close()


def test_count_types_in_the_low_level_layer():
    assert lib.bimt_model_n_hidden.restype is ctypes.c_uint32
    assert lib.bimt_trainer_run.argtypes[1] is ctypes.c_uint32
    assert dict(F.Batch._fields_)["n_steps"] is ctypes.c_uint32
    assert lib.bimt_model_n_params.restype is ctypes.c_size_t


def test_output_struct_written_up_to_its_struct_size(task):
    full = out_struct(F.Batch)
    assert lib.bimt_task_sample(task._h, 0, 3, ctypes.byref(full)) == 0
    assert full.struct_size == ctypes.sizeof(F.Batch) and full.batch_size == 3
    short = F.Batch()
    ctypes.memset(ctypes.byref(short), 0x5A, ctypes.sizeof(short))
    cut = F.Batch.go_step.offset
    short.struct_size = cut
    assert lib.bimt_task_sample(task._h, 0, 3, ctypes.byref(short)) == 0
    assert short.struct_size == cut and short.batch_size == 3
    raw = ctypes.string_at(ctypes.byref(short), ctypes.sizeof(short))
    assert set(raw[cut:]) == {0x5A}   # nothing beyond struct_size was written
    unset = F.Batch()                 # struct_size 0: refused, nothing written
    assert lib.bimt_task_sample(task._h, 0, 3, ctypes.byref(unset)) == -6
    assert unset.batch_size == 0 and "struct_size" in last_error()


def test_booleans_are_0_or_1(small_model):
    tv = np.random.default_rng(0).uniform(0, 1, (bimt.N_RULES, 16)).astype(np.float32)
    out = np.zeros_like(tv)
    p = ctypes.POINTER(ctypes.c_float)
    assert lib.bimt_normalize_task_variance(tv.ctypes.data_as(p), bimt.N_RULES, 16, 1e-3, 2,
                                            out.ctypes.data_as(p)) == -1
    assert "by_sum must be 0 or 1 (got 2)" in last_error()
