"""Every notebook under notebooks/ runs top to bottom without error."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((pathlib.Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def test_the_notebooks_are_found():
    # An empty glob would parametrize no test at all and pass silently.
    assert {"sizing-for-harbolnas", "what-if", "price-of-downtime"} <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, build_python_dir, monkeypatch):
    # The kernel is a separate process: it finds the package through PYTHONPATH.
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiet the kernel debugger
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(build_python_dir), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
