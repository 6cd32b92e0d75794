"""Which BLAS this process has loaded: the peers' speed depends on it, so the table says it.

Debian's torch and numpy call whatever libblas.so.3 the alternatives system points at: the
reference BLAS (libblas3, very slow) unless an optimized one such as libopenblas0-pthread is
installed.
"""
import os

_KEYWORDS = ("blas", "mkl", "dnnl")


def loaded():
    """Real paths of the loaded shared libraries whose names suggest BLAS, sorted."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if path.startswith("/") and ".so" in path and any(k in path.lower() for k in _KEYWORDS):
                found.add(os.path.realpath(path))
    return sorted(found)


def openblas():
    """The loaded OpenBLAS library (Debian's may be named libblas.so.3 under openblas*/), or None."""
    return next((p for p in loaded() if "openblas" in p.lower()), None)


def is_reference(paths):
    """True when the only BLAS among paths is the slow reference implementation (libblas3)."""
    return any("/blas/libblas.so" in p for p in paths) and not any("openblas" in p.lower() for p in paths)
