"""What to say when a module that reports need is missing: one sentence that names the
Debian package and the interpreter, since `surgesim report` runs the interpreter the
build was configured with, which need not be the one on the user's PATH.

Imports nothing beyond the standard library, so that it works when the rest cannot.
"""

from __future__ import annotations

import sys

DEBIAN_PACKAGES = {
    "numpy": "python3-numpy",
    "pandas": "python3-pandas",
    "matplotlib": "python3-matplotlib",
    "h5py": "python3-h5py",
}


class MissingModule(ImportError):
    """A module surgesim needs cannot be imported by this interpreter."""


def missing_module(error: ImportError, needed_by: str) -> MissingModule:
    """The MissingModule to raise (or print) for ``error``; ``needed_by`` names the user."""
    module = (error.name or "").partition(".")[0]
    if not module:  # an ImportError from inside a module that exists, e.g. a broken build
        return MissingModule(f"{needed_by} cannot import what it needs with {sys.executable}: {error}")
    package = DEBIAN_PACKAGES.get(module, f"python3-{module}")
    return MissingModule(
        f"{needed_by} needs {module}, which {sys.executable} cannot import: "
        f"install the Debian package {package} (apt-get install {package})",
        name=module,
    )


def exit_for_missing_module(error: ImportError, needed_by: str) -> None:
    """For `python -m surgesim.X`: print the one sentence and exit with status 1."""
    print(f"error: {missing_module(error, needed_by)}", file=sys.stderr)
    sys.exit(1)
