"""Makes `import surgesim` load the package built in <build>/python.

The build directory is $SURGESIM_BUILD_DIR (CTest sets it), else <repo>/build.
"""

import os
import sys
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parents[2]
_PACKAGE_PARENT = Path(os.environ.get("SURGESIM_BUILD_DIR", _REPO / "build")) / "python"

if not (_PACKAGE_PARENT / "surgesim" / "__init__.py").is_file():
    pytest.exit(f"surgesim is not built in {_PACKAGE_PARENT}: run cmake --build first", returncode=4)
# First on the path: the build under test wins over any installed copy.
sys.path.insert(0, str(_PACKAGE_PARENT))


@pytest.fixture(scope="session")
def build_python_dir() -> Path:
    """The folder that holds the built `surgesim` package."""
    return _PACKAGE_PARENT
