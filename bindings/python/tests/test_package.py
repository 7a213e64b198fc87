"""The package installs offline with pip (pure Python) and the installed copy works."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def _has_pip():
    return subprocess.run([sys.executable, "-m", "pip", "--version"],
                          capture_output=True).returncode == 0


@pytest.mark.skipif(not _has_pip(), reason="pip not installed (Debian: python3-pip)")
def test_pip_install_offline(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(os.path.join(REPO, "bindings", "python"), src,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                        "--no-deps", "--no-index", "--target", str(target), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (target / "bimt" / "_lib.py").is_file()
    env = dict(os.environ, PYTHONPATH=str(target))
    r = subprocess.run([sys.executable, "-c",
                        "import bimt, sys; print(bimt.__file__); "
                        "print(bimt.Model(grid_side=2, n_in=2, n_out=2).n_hidden)"],
                       capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    file_, n = r.stdout.split()
    assert file_.startswith(str(target)) and n == "4"
